// SPDX-License-Identifier: Apache-2.0
#pragma once

// Certificates the TLS tests make for themselves: a self-signed P-256 certificate for
// "localhost" and 127.0.0.1, written as PEM files, so no test depends on files that
// expire or on the openssl command line.

#include <string>

namespace aldis::test {

struct TestCertificate {
    std::string certFile;   // PEM certificate; also the client's trust anchor
    std::string keyFile;    // PEM private key
    std::string commonName; // subject CN, to tell certificates apart
};

// Writes <dir>/<name>.crt and <dir>/<name>.key. Returns an empty certFile when
// OpenSSL failed (with the reason in `error`).
TestCertificate makeTestCertificate(const std::string& dir, const std::string& name, const std::string& commonName,
                                    std::string* error = nullptr);

} // namespace aldis::test
