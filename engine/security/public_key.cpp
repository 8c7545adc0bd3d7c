// SPDX-License-Identifier: Apache-2.0
#include "security/public_key.h"

#include "security/crypto_ptr.h"
#include "security/jwt_text.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <array>
#include <climits>
#include <cstddef>
#include <memory>

namespace aldis::security::detail {

Result<void> checkPublicKey(const config::JwtKeyConfig& key, const std::string& pem, JwtAlg alg,
                            std::string_view context)
{
    auto refuse = [&key, context](std::string_view what) {
        return configError(key, std::string(context) + std::string(what));
    };
    const std::string_view name = algName(alg);
    if (pem.empty())
        return refuse(std::string(name) + " needs a public key; set public_key_file or jwks_file");
    if (pem.size() > static_cast<std::size_t>(INT_MAX))
        return refuse("the public key is too large");

    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio)
        return makeError(ErrorCode::internal, "out of memory while reading a public key");
    std::unique_ptr<EVP_PKEY, PkeyFree> pkey(
        PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();   // a failed parse leaves entries on this thread's OpenSSL error queue
    if (!pkey) {
        if (pem.find("PRIVATE KEY") != std::string::npos)
            return refuse("the PEM holds a private key; configure the public key "
                          "(openssl pkey -in key.pem -pubout)");
        return refuse("the public key is not a PEM \"BEGIN PUBLIC KEY\" block; "
                      "convert it with: openssl pkey -pubin -in key.pem -pubout");
    }

    if (alg == JwtAlg::rs256) {
        if (!EVP_PKEY_is_a(pkey.get(), "RSA"))
            return refuse("RS256 needs an RSA public key, but the PEM holds another key type");
        if (EVP_PKEY_get_bits(pkey.get()) < 2048)
            return refuse("the RSA key has " + std::to_string(EVP_PKEY_get_bits(pkey.get()))
                          + " bits; RS256 needs at least 2048");
        return {};
    }
    // ES256: EC on P-256 only (RFC 7518 3.4).
    if (!EVP_PKEY_is_a(pkey.get(), "EC"))
        return refuse("ES256 needs an EC P-256 public key, but the PEM holds another key type");
    std::array<char, 64> group{};
    std::size_t groupLength = 0;
    if (EVP_PKEY_get_group_name(pkey.get(), group.data(), group.size(), &groupLength) != 1) {
        ERR_clear_error();
        return refuse("cannot read the curve of the EC key; ES256 needs P-256");
    }
    const std::string_view curve(group.data(), groupLength);
    if (curve != "prime256v1" && curve != "P-256")
        return refuse("the EC key is on curve " + std::string(curve)
                      + "; ES256 needs P-256 (prime256v1)");
    return {};
}

} // namespace aldis::security::detail
