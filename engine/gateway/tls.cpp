// SPDX-License-Identifier: Apache-2.0
#include "gateway/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace aldis::gateway {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's reason for the last failure, e.g. "no start line" for a file that is not PEM.
std::string openSslReason(const boost::system::error_code& ec)
{
    ERR_clear_error();
    return ec.message();
}

} // namespace

Result<std::shared_ptr<ssl::context>> makeTlsContext(const config::ClientListenerConfig& client)
{
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    const int minVersion = client.tlsMinVersion == "1.2" ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX* native = context->native_handle();
    if (SSL_CTX_set_min_proto_version(native, minVersion) != 1)
        return makeError(ErrorCode::internal, "OpenSSL refused the minimum TLS version " + client.tlsMinVersion);
    // Compression (CRIME), renegotiation and TLS 1.2 tickets without rotation are off;
    // with 1.2 allowed, the server's own order of ciphers wins (OpenSSL's default
    // list offers only forward-secret AEAD suites first).
    SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                    SSL_OP_NO_TICKET);
    // Sessions are not resumed: one less secret to rotate; a full handshake costs
    // well under a millisecond with an ECDSA or RSA-2048 key.
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(native, 0);
    // Less memory per idle connection: OpenSSL frees its read and write buffers when
    // they are empty.
    SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);

    boost::system::error_code ec;
    context->use_certificate_chain_file(client.tlsCertFile.string(), ec);
    if (ec)
        return makeError(ErrorCode::bad_request, "client.tls_cert_file " + client.tlsCertFile.string() +
                                                     ": cannot use it as a PEM certificate chain: " + openSslReason(ec));
    context->use_private_key_file(client.tlsKeyFile.string(), ssl::context::pem, ec);
    if (ec)
        return makeError(ErrorCode::bad_request, "client.tls_key_file " + client.tlsKeyFile.string() +
                                                     ": cannot use it as a PEM private key: " + openSslReason(ec));
    if (SSL_CTX_check_private_key(native) != 1) {
        ERR_clear_error();
        return makeError(ErrorCode::bad_request, "client.tls_key_file " + client.tlsKeyFile.string() +
                                                     " is not the private key of client.tls_cert_file " +
                                                     client.tlsCertFile.string());
    }
    return context;
}

} // namespace aldis::gateway
