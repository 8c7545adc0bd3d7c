// SPDX-License-Identifier: Apache-2.0
#pragma once

// Keys and tokens for the JWT unit tests (tst_jwt, tst_jwks). Keys are generated per
// run with OpenSSL; RS256/ES256 tokens are signed with libjwt and the private PEM.
// JWKS keys are built from the same keys (n/e and x/y read with OpenSSL).

#include "security/jwt.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <jwt.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aldis::test {

inline constexpr std::int64_t kNow = 1'700'000'000;
extern const std::string kSecret1;

struct KeyPair {
    std::string privatePem;
    std::string publicPem;
};

// A fresh key pair as PEM text (PKCS#8 private key, SubjectPublicKeyInfo public key).
KeyPair makeRsa(unsigned bits);
KeyPair makeEc(const char* curve);

// base64url without padding, as in JWTs.
QByteArray b64url(const QByteArray& data);
// Compact JSON.
QByteArray json(const QJsonObject& object);

// A token signed by libjwt (which always writes {"alg": ..., "typ": "JWT"} and kid
// when given).
QByteArray sign(jwt_alg_t alg, const std::string& key, const QJsonObject& payload,
                const char* kid = nullptr);

// A token with a hand-written header, HMAC-SHA256 signed (for headers libjwt will not
// write: other typ, lower-case alg, crit).
QByteArray signRawHs256(const QJsonObject& header, const QJsonObject& payload,
                        const std::string& secret);

// {"sub": "alice", "exp": kNow + expIn}.
QJsonObject claims(std::int64_t expIn = 60);
QJsonObject with(QJsonObject object, const QString& key, const QJsonValue& value);
QJsonObject without(QJsonObject object, const QString& key);

// An HS256 key configuration.
config::JwtKeyConfig hsKey(std::string id, std::string secret);

// A JWKS key configuration (RS256 and ES256 unless given).
config::JwtKeyConfig jwksKey(std::string id, const QByteArray& jwks,
                             std::vector<std::string> algorithms = {"RS256", "ES256"});

// The public JWK of a PEM public key: kty RSA with n and e, or kty EC with crv, x, y.
QJsonObject jwkOf(const std::string& publicPem, const QString& kid = {});
// {"keys": keys}.
QByteArray jwksOf(const QJsonArray& keys);

// QCOMPARE on an enum class does not compile with Qt 6.4; compare the names instead.
QString codeName(ErrorCode code);

// What is wrong with a JwtVerifier::create() outcome, or an empty string when it is as
// expected: success when `expectedError` is empty, else bad_request with a message
// that names `keyId` and contains `expectedError`.
QString createOutcome(const Result<std::shared_ptr<const security::JwtVerifier>>& result, const std::string& keyId,
                      const QString& expectedError);

std::string_view view(const QByteArray& bytes);

} // namespace aldis::test
