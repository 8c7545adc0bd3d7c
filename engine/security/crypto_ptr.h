// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <cstdlib>
#include <memory>

// Deleters for the C objects of libjwt and OpenSSL, for std::unique_ptr.
namespace aldis::security::detail {

struct JwtFree {
    void operator()(jwt_t* jwt) const noexcept { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

// Memory that libjwt hands over from malloc, such as the result of jwt_encode_str.
struct CFree {
    void operator()(char* p) const noexcept { std::free(p); }
};

struct BioFree {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};

struct PkeyFree {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};

struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* ctx) const noexcept { EVP_PKEY_CTX_free(ctx); }
};

struct BnFree {
    void operator()(BIGNUM* bn) const noexcept { BN_free(bn); }
};

struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD* bld) const noexcept { OSSL_PARAM_BLD_free(bld); }
};

struct ParamFree {
    void operator()(OSSL_PARAM* params) const noexcept { OSSL_PARAM_free(params); }
};

} // namespace aldis::security::detail
