// SPDX-License-Identifier: Apache-2.0
#include "config/auth_keys.h"

#include "config/config_keys.h"
#include "config/config_text.h"
#include "config/toml_values.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace aldis::config::detail {

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 6> kJwtKeyFields = {"id", "algorithms", "secret", "public_key_file",
                                                          "public_key", "jwks_file"};
constexpr std::array<std::string_view, 3> kAlgorithms = {"HS256", "RS256", "ES256"};

// Reads the [[auth.keys]] entries of one load into the loader's key and error lists.
class AuthKeyReader {
public:
    AuthKeyReader(const fs::path& baseDir, std::vector<JwtKeyConfig>& keys, std::vector<ConfigError>& errors)
        : m_baseDir(baseDir), m_keys(keys), m_errors(errors)
    {
    }

    void readAuthKey(const toml::table& table, std::size_t index);

private:
    void error(std::string key, int line, std::string message)
    {
        m_errors.push_back(ConfigError{std::move(key), line, std::move(message)});
    }
    void readJwks(JwtKeyConfig& jwtKey, const std::string& prefix, const std::optional<std::string>& path, int line);

    const fs::path& m_baseDir;  // public_key_file and jwks_file paths are relative to it
    std::vector<JwtKeyConfig>& m_keys;
    std::vector<ConfigError>& m_errors;
};

void AuthKeyReader::readAuthKey(const toml::table& table, std::size_t index)
{
    const std::string prefix = "auth.keys[" + std::to_string(index) + "]";
    const int tableLine = lineOf(table);
    const std::size_t errorsBefore = m_errors.size();
    std::vector<std::string> fieldNames(kJwtKeyFields.begin(), kJwtKeyFields.end());

    JwtKeyConfig jwtKey;
    std::map<std::string, int> lines;
    std::optional<std::string> inlinePem;
    std::optional<std::string> jwksPath;  // as written, when jwks_file is a string
    bool hasAlgorithms = false;
    bool algorithmsReported = false;  // a bad entry was reported; "empty" would repeat it

    for (auto&& [k, node] : table) {
        std::string field(k.str());
        std::string fullName = prefix + "." + field;
        int line = lineOf(k, node);
        if (std::find(kJwtKeyFields.begin(), kJwtKeyFields.end(), field) == kJwtKeyFields.end()) {
            m_errors.push_back(unknownKey(fullName, line, field, fieldNames, prefix + "."));
            continue;
        }
        lines[field] = lineOf(node);
        if (field == "algorithms") {
            hasAlgorithms = true;
            const auto* array = node.as_array();
            bool ok = array != nullptr;
            std::vector<std::string> algorithms;
            if (ok) {
                for (const auto& element : *array) {
                    const auto* text = element.as_string();
                    if (!text) {
                        ok = false;
                        break;
                    }
                    algorithms.push_back(text->get());
                }
            }
            if (!ok) {
                algorithmsReported = true;
                error(fullName, lineOf(node),
                      fullName + " must be an array of strings such as [\"HS256\"], got " + describeNode(node));
                continue;
            }
            std::vector<std::string> known(kAlgorithms.begin(), kAlgorithms.end());
            for (const auto& algorithm : algorithms) {
                if (std::find(known.begin(), known.end(), algorithm) != known.end()) {
                    if (std::find(jwtKey.algorithms.begin(), jwtKey.algorithms.end(), algorithm)
                        == jwtKey.algorithms.end())
                        jwtKey.algorithms.push_back(algorithm);
                    continue;
                }
                std::string message = fullName + " holds " + quote(algorithm)
                    + ", which is not supported; use HS256, RS256 or ES256";
                if (auto suggestion = closest(algorithm, known))
                    message += " (did you mean " + quote(*suggestion) + "?)";
                algorithmsReported = true;
                error(fullName, lineOf(node), std::move(message));
            }
            continue;
        }
        const auto* text = node.as_string();
        if (!text) {
            error(fullName, lineOf(node), fullName + " must be a string, got " + describeNode(node));
            continue;
        }
        if (field == "id")
            jwtKey.id = text->get();
        else if (field == "secret")
            jwtKey.secret = text->get();
        else if (field == "public_key_file")
            jwtKey.publicKeyFile = m_baseDir / fs::path(text->get());
        else if (field == "public_key")
            inlinePem = text->get();
        else if (field == "jwks_file")
            jwksPath = text->get();
    }

    auto lineFor = [&](const std::string& field) {
        auto it = lines.find(field);
        return it == lines.end() ? tableLine : it->second;
    };
    auto has = [&](std::string_view algorithm) {
        return std::find(jwtKey.algorithms.begin(), jwtKey.algorithms.end(), algorithm) != jwtKey.algorithms.end();
    };
    const bool hmac = has("HS256");
    const bool asymmetric = has("RS256") || has("ES256");

    if (!hasAlgorithms) {
        error(prefix + ".algorithms", tableLine,
              prefix + ".algorithms is required: list what this key verifies, e.g. algorithms = [\"HS256\"]");
    } else if (jwtKey.algorithms.empty() && !algorithmsReported) {
        error(prefix + ".algorithms", lineFor("algorithms"),
              prefix + ".algorithms must not be empty: list what this key verifies, e.g. algorithms = [\"HS256\"]");
    }
    if (hmac && asymmetric) {
        error(prefix + ".algorithms", lineFor("algorithms"),
              prefix + ".algorithms mixes HS256 with RS256/ES256: a token signed with HMAC using the public key as "
                       "the secret would then be accepted (algorithm confusion); configure the secret and the public "
                       "key as two separate [[auth.keys]]");
    }
    // A JWKS replaces the PEM; its own rules below replace the secret and PEM checks.
    const bool hasJwks = lines.count("jwks_file") > 0;
    if (hasJwks) {
        readJwks(jwtKey, prefix, jwksPath, lineFor("jwks_file"));
        if (hmac && !asymmetric)
            error(prefix + ".algorithms", lineFor("algorithms"),
                  prefix + ".algorithms holds HS256, but jwks_file is used only with RS256 or ES256; "
                           "configure the HS256 secret as a separate [[auth.keys]]");
        if (lines.count("secret"))
            error(prefix + ".secret", lineFor("secret"),
                  prefix + ".secret cannot be combined with jwks_file: a JWKS holds public keys for RS256/ES256; "
                           "configure the HS256 secret as a separate [[auth.keys]]");
        for (const std::string field : {"public_key_file", "public_key"})
            if (lines.count(field))
                error(prefix + "." + field, lineFor(field),
                      prefix + " has both jwks_file and " + field
                          + "; keep one (a JWKS may hold several keys, selected by the token's kid)");
    } else if (hmac) {
        if (jwtKey.secret.empty())
            error(prefix + ".secret", lineFor("secret"),
                  prefix + ".secret is required for HS256: give at least 32 bytes, e.g. from `openssl rand -hex 32`");
        else if (jwtKey.secret.size() < kMinHs256SecretBytes)
            error(prefix + ".secret", lineFor("secret"),
                  prefix + ".secret has " + std::to_string(jwtKey.secret.size())
                      + " bytes; an HS256 secret needs at least 32 (make one with `openssl rand -hex 32`)");
    } else if (!jwtKey.secret.empty() && !jwtKey.algorithms.empty()) {
        error(prefix + ".secret", lineFor("secret"),
              prefix + ".secret is used only with HS256; remove it or add HS256 to the algorithms of a separate key");
    }
    const bool hasFile = !jwtKey.publicKeyFile.empty();
    if (hasJwks) {
        // Reported above.
    } else if (asymmetric) {
        if (hasFile && inlinePem) {
            error(prefix + ".public_key", lineFor("public_key"),
                  prefix + " has both public_key_file and public_key; keep one");
        } else if (!hasFile && !inlinePem) {
            error(prefix + ".public_key_file", tableLine,
                  prefix + ".public_key_file is required for RS256/ES256: give the path of the PEM public key "
                           "(or the PEM text as public_key, or a JWKS file as jwks_file)");
        }
    } else if ((hasFile || inlinePem) && !jwtKey.algorithms.empty()) {
        std::string field = hasFile ? "public_key_file" : "public_key";
        error(prefix + "." + field, lineFor(field),
              prefix + "." + field + " is used only with RS256 or ES256; remove it or set the algorithms");
    }

    if (!hasJwks && asymmetric && hasFile != inlinePem.has_value()) {
        std::string field = hasFile ? "public_key_file" : "public_key";
        std::optional<std::string> pem;
        std::string where;
        if (hasFile) {
            std::string problem;
            where = "the file '" + jwtKey.publicKeyFile.string() + "'";
            pem = readTextFile(jwtKey.publicKeyFile, problem);
            if (!pem) {
                std::string message = prefix + ".public_key_file: cannot read '" + jwtKey.publicKeyFile.string()
                    + "': " + problem + "; check the path";
                if (!m_baseDir.empty())
                    message += " (a relative path is relative to the config file's folder, "
                        + m_baseDir.string() + ")";
                error(prefix + ".public_key_file", lineFor(field), std::move(message));
            }
        } else {
            pem = *inlinePem;
            where = "public_key";
        }
        if (pem) {
            if (pem->find("PRIVATE KEY-----") != std::string::npos)
                error(prefix + "." + field, lineFor(field),
                      prefix + "." + field + ": " + where
                          + " holds a private key; give the public key (`openssl pkey -in key.pem -pubout`)");
            else if (pem->find("-----BEGIN ") == std::string::npos)
                error(prefix + "." + field, lineFor(field),
                      prefix + "." + field + ": " + where
                          + " is not PEM; expected a '-----BEGIN PUBLIC KEY-----' block");
            else
                jwtKey.publicKeyPem = std::move(*pem);
        }
    }

    if (!jwtKey.id.empty()) {
        for (const auto& other : m_keys)
            if (other.id == jwtKey.id)
                error(prefix + ".id", lineFor("id"),
                      prefix + ".id " + quote(jwtKey.id) + " is used by another key; give each key its own id");
    }
    if (m_errors.size() == errorsBefore)
        m_keys.push_back(std::move(jwtKey));
}

// Loads the JWKS text of an [[auth.keys]] entry. Only the outer shape is checked here;
// security::JwtVerifier::create parses the keys, as it checks the type of a PEM key.
void AuthKeyReader::readJwks(JwtKeyConfig& jwtKey, const std::string& prefix, const std::optional<std::string>& path,
                      int line)
{
    const std::string key = prefix + ".jwks_file";
    if (!path)
        return;  // not a string: reported with the other type errors
    if (path->empty()) {
        error(key, line, key + " must not be empty: give the path of a JWKS file ({\"keys\": [...]})");
        return;
    }
    jwtKey.jwksFile = m_baseDir / fs::path(*path);
    std::string problem;
    auto text = readTextFile(jwtKey.jwksFile, problem);
    if (!text) {
        std::string message = key + ": cannot read '" + jwtKey.jwksFile.string() + "': " + problem + "; check the path";
        if (!m_baseDir.empty())
            message += " (a relative path is relative to the config file's folder, " + m_baseDir.string() + ")";
        error(key, line, std::move(message));
        return;
    }
    const std::string where = "the file '" + jwtKey.jwksFile.string() + "'";
    const std::string content = trimmed(*text);
    if (content.empty())
        error(key, line, key + ": " + where + " is empty; expected a JWKS, {\"keys\": [...]}");
    else if (content.find("-----BEGIN ") != std::string::npos)
        error(key, line,
              key + ": " + where + " holds PEM, not a JWKS; give a PEM public key as public_key_file instead");
    else if (content.front() != '{')
        error(key, line, key + ": " + where + " is not a JWKS: expected a JSON object {\"keys\": [...]}");
    else
        jwtKey.jwksJson = std::move(*text);
}

} // namespace

void readAuthKeys(const toml::node& node, int line, const fs::path& baseDir, std::vector<JwtKeyConfig>& keys,
                  std::vector<ConfigError>& errors)
{
    const auto* array = node.as_array();
    if (!array || !array->is_array_of_tables()) {
        errors.push_back(ConfigError{
            "auth.keys", line,
            "auth.keys must be an array of tables: write each key as a [[auth.keys]] section with id, algorithms "
            "and secret, public_key_file or jwks_file"});
        return;
    }
    AuthKeyReader reader(baseDir, keys, errors);
    for (std::size_t i = 0; i < array->size(); ++i)
        reader.readAuthKey(*array->get(i)->as_table(), i);
}

} // namespace aldis::config::detail
