// SPDX-License-Identifier: Apache-2.0
#include "support/tls_test_cert.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <functional>
#include <memory>

namespace aldis::test {

namespace {

template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Ext = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

std::string lastOpenSslError(const char* what)
{
    char text[256] = {};
    ERR_error_string_n(ERR_get_error(), text, sizeof text);
    return std::string(what) + ": " + text;
}

bool addExtension(X509* cert, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    Ext ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool writePem(const std::string& path, const std::function<int(FILE*)>& write)
{
    FILE* file = std::fopen(path.c_str(), "w");
    if (!file)
        return false;
    const bool ok = write(file) == 1;
    return std::fclose(file) == 0 && ok;
}

} // namespace

TestCertificate makeTestCertificate(const std::string& dir, const std::string& name, const std::string& commonName,
                                    std::string* error)
{
    auto fail = [&](std::string why) {
        if (error)
            *error = std::move(why);
        return TestCertificate{};
    };
    Key key(EVP_EC_gen("P-256"));
    if (!key)
        return fail(lastOpenSslError("EVP_EC_gen"));
    Cert cert(X509_new());
    X509_set_version(cert.get(), 2); // v3
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* subject = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(commonName.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), subject);
    if (!addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
        !addExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") ||
        !addExtension(cert.get(), NID_subject_key_identifier, "hash"))
        return fail(lastOpenSslError("X509 extensions"));
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        return fail(lastOpenSslError("X509_sign"));

    TestCertificate out{dir + "/" + name + ".crt", dir + "/" + name + ".key", commonName};
    if (!writePem(out.certFile, [&](FILE* f) { return PEM_write_X509(f, cert.get()); }) ||
        !writePem(out.keyFile, [&](FILE* f) {
            return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
        }))
        return fail("cannot write " + out.certFile + " or " + out.keyFile);
    return out;
}

} // namespace aldis::test
