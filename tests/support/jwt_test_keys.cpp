// SPDX-License-Identifier: Apache-2.0
#include "support/jwt_test_keys.h"

#include <QJsonDocument>
#include <QtGlobal>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <memory>
#include <utility>

namespace aldis::test {

const std::string kSecret1 = "first-hs256-secret-of-at-least-32-bytes";

namespace {

// An OpenSSL key pair as PEM text (PKCS#8 private key, SubjectPublicKeyInfo public key).
KeyPair toPem(EVP_PKEY* key)
{
    auto write = [key](bool isPrivate) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
        const int ok = isPrivate
            ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
            : PEM_write_bio_PUBKEY(bio.get(), key);
        if (ok != 1)
            qFatal("cannot write a PEM");
        char* data = nullptr;
        const long size = BIO_get_mem_data(bio.get(), &data);
        return std::string(data, static_cast<std::size_t>(size));
    };
    KeyPair pair{write(true), write(false)};
    EVP_PKEY_free(key);
    return pair;
}

// A BIGNUM parameter of a key, big-endian, left-padded to `width` bytes when given,
// base64url-encoded.
QString bnParam(EVP_PKEY* key, const char* name, int width = 0)
{
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1 || !bn)
        qFatal("EVP_PKEY_get_bn_param failed");
    QByteArray bytes(width > 0 ? width : BN_num_bytes(bn), '\0');
    auto* out = reinterpret_cast<unsigned char*>(bytes.data());
    const int written = width > 0 ? BN_bn2binpad(bn, out, width) : BN_bn2bin(bn, out);
    BN_free(bn);
    if (written != bytes.size())
        qFatal("BN_bn2bin failed");
    return QString::fromLatin1(b64url(bytes));
}

} // namespace

KeyPair makeRsa(unsigned bits)
{
    return toPem(EVP_RSA_gen(bits));
}

KeyPair makeEc(const char* curve)
{
    return toPem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

QByteArray b64url(const QByteArray& data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray json(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray sign(jwt_alg_t alg, const std::string& key, const QJsonObject& payload, const char* kid)
{
    jwt_t* raw = nullptr;
    if (jwt_new(&raw) != 0)
        qFatal("jwt_new failed");
    std::unique_ptr<jwt_t, decltype(&jwt_free)> token(raw, &jwt_free);
    if (jwt_add_grants_json(token.get(), json(payload).constData()) != 0)
        qFatal("jwt_add_grants_json failed");
    if (kid && jwt_add_header(token.get(), "kid", kid) != 0)
        qFatal("jwt_add_header failed");
    if (jwt_set_alg(token.get(), alg, reinterpret_cast<const unsigned char*>(key.data()),
                    static_cast<int>(key.size())) != 0)
        qFatal("jwt_set_alg failed");
    char* encoded = jwt_encode_str(token.get());
    if (!encoded)
        qFatal("jwt_encode_str failed");
    QByteArray out(encoded);
    std::free(encoded);
    return out;
}

QByteArray signRawHs256(const QJsonObject& header, const QJsonObject& payload,
                        const std::string& secret)
{
    const QByteArray input = b64url(json(header)) + '.' + b64url(json(payload));
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLength = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.constData()),
         static_cast<std::size_t>(input.size()), mac, &macLength);
    return input + '.' + b64url(QByteArray(reinterpret_cast<const char*>(mac),
                                           static_cast<int>(macLength)));
}

QJsonObject claims(std::int64_t expIn)
{
    return QJsonObject{{"sub", "alice"}, {"exp", static_cast<qint64>(kNow + expIn)}};
}

QJsonObject with(QJsonObject object, const QString& key, const QJsonValue& value)
{
    object.insert(key, value);
    return object;
}

QJsonObject without(QJsonObject object, const QString& key)
{
    object.remove(key);
    return object;
}

config::JwtKeyConfig hsKey(std::string id, std::string secret)
{
    config::JwtKeyConfig key;
    key.id = std::move(id);
    key.algorithms = {"HS256"};
    key.secret = std::move(secret);
    return key;
}

config::JwtKeyConfig jwksKey(std::string id, const QByteArray& jwks, std::vector<std::string> algorithms)
{
    config::JwtKeyConfig key;
    key.id = std::move(id);
    key.algorithms = std::move(algorithms);
    key.jwksFile = "/etc/aldis/jwks.json";
    key.jwksJson = jwks.toStdString();
    return key;
}

QJsonObject jwkOf(const std::string& publicPem, const QString& kid)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(publicPem.data(), static_cast<int>(publicPem.size())), &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!key)
        qFatal("cannot read a public key");
    QJsonObject jwk;
    if (EVP_PKEY_is_a(key.get(), "RSA")) {
        jwk = {{"kty", "RSA"},
               {"n", bnParam(key.get(), OSSL_PKEY_PARAM_RSA_N)},
               {"e", bnParam(key.get(), OSSL_PKEY_PARAM_RSA_E)}};
    } else {
        char group[64] = {};
        std::size_t length = 0;
        if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, &length) != 1)
            qFatal("cannot read the curve");
        const QString curve = QString::fromLatin1(group, static_cast<qsizetype>(length));
        const int width = (EVP_PKEY_get_bits(key.get()) + 7) / 8;
        jwk = {{"kty", "EC"},
               {"crv", curve == "prime256v1" ? "P-256" : curve == "secp384r1" ? "P-384" : curve},
               {"x", bnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, width)},
               {"y", bnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, width)}};
    }
    if (!kid.isEmpty())
        jwk.insert("kid", kid);
    return jwk;
}

QByteArray jwksOf(const QJsonArray& keys)
{
    return json(QJsonObject{{"keys", keys}});
}

QString codeName(ErrorCode code)
{
    const auto name = toString(code);
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

std::string_view view(const QByteArray& bytes)
{
    return {bytes.constData(), static_cast<std::size_t>(bytes.size())};
}

QString createOutcome(const Result<std::shared_ptr<const security::JwtVerifier>>& result, const std::string& keyId,
                      const QString& expectedError)
{
    if (expectedError.isEmpty())
        return result.ok() ? QString() : QString::fromStdString("refused: " + result.error().message);
    if (result.ok())
        return QStringLiteral("accepted; expected an error containing \"%1\"").arg(expectedError);
    const auto& message = result.error().message;
    if (result.error().code != ErrorCode::bad_request)
        return QStringLiteral("code %1, expected bad_request: %2").arg(codeName(result.error().code), QString::fromStdString(message));
    if (message.find(keyId) == std::string::npos)
        return QStringLiteral("the message does not name the key: ") + QString::fromStdString(message);
    if (message.find(expectedError.toStdString()) == std::string::npos)
        return QStringLiteral("the message lacks \"%1\": %2").arg(expectedError, QString::fromStdString(message));
    return {};
}

} // namespace aldis::test
