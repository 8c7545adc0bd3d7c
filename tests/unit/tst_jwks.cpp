// SPDX-License-Identifier: Apache-2.0
// JWKS keys (security/jwt.h): which JSON Web Key Sets JwtVerifier::create() accepts,
// and a JWKS key next to other material. Tokens verified against a JWKS are rows of
// the verify table in tst_jwt.cpp.

#include "security/jwt.h"
#include "support/jwt_test_keys.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <jwt.h>

using namespace aldis;
using namespace aldis::security;
using namespace aldis::test;

class TestJwks : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void createJwks_data();
    void createJwks();
    void createJwksWithOtherMaterial();

private:
    KeyPair m_rsa;
    KeyPair m_ec;
};

void TestJwks::initTestCase()
{
    m_rsa = makeRsa(2048);
    m_ec = makeEc("P-256");
}

void TestJwks::createJwks_data()
{
    QTest::addColumn<QStringList>("algorithms");
    QTest::addColumn<QByteArray>("jwks");
    QTest::addColumn<QString>("error");   // substring of the message; empty: created

    const QStringList both{"RS256", "ES256"};
    const QStringList rs{"RS256"};
    const QStringList es{"ES256"};
    const auto rsa = jwkOf(m_rsa.publicPem, "r1");
    const auto ec = jwkOf(m_ec.publicPem, "e1");
    const QString ok;

    QTest::addRow("RSA and EC") << both << jwksOf({rsa, ec}) << ok;
    QTest::addRow("RSA only") << rs << jwksOf({rsa}) << ok;
    QTest::addRow("EC only") << es << jwksOf({ec}) << ok;
    QTest::addRow("alg and use sig") << both
        << jwksOf({with(with(rsa, "alg", "RS256"), "use", "sig"), with(ec, "alg", "ES256")}) << ok;
    QTest::addRow("use enc skipped, sig key kept")
        << both << jwksOf({with(with(rsa, "use", "enc"), "alg", "RSA-OAEP"), ec}) << ok;
    QTest::addRow("padded base64url")
        << rs << jwksOf({with(rsa, "e", rsa["e"].toString() + "=")}) << ok;
    QTest::addRow("unknown members ignored")
        << rs << jwksOf({with(rsa, "x5t", "abc")}) << ok;

    // The document.
    QTest::addRow("not JSON") << both << QByteArray("{\"keys\": [") << "not valid JSON";
    QTest::addRow("empty") << both << QByteArray() << "empty";
    QTest::addRow("an array") << both << QByteArray("[]") << "not a JSON object";
    QTest::addRow("no keys array") << both << QByteArray("{\"key\": []}") << "no \"keys\" array";
    QTest::addRow("keys is an object") << both << QByteArray("{\"keys\": {}}") << "no \"keys\" array";
    QTest::addRow("keys is empty") << both << jwksOf({}) << "empty \"keys\" array";
    QTest::addRow("key is a string") << both << jwksOf({"r1"}) << "keys[0] is not a JSON object";
    QTest::addRow("only enc keys") << both << jwksOf({with(rsa, "use", "enc")}) << "no signing keys";
    QTest::addRow("second key names its index")
        << both << jwksOf({rsa, without(with(ec, "kid", "bad"), "x")}) << "keys[1] (kid 'bad')";

    // RSA.
    QTest::addRow("RSA without n") << rs << jwksOf({without(rsa, "n")}) << "n is missing";
    QTest::addRow("RSA without e") << rs << jwksOf({without(rsa, "e")}) << "e is missing";
    QTest::addRow("RSA n not base64url")
        << rs << jwksOf({with(rsa, "n", "a+b/c")}) << "n is not base64url";
    QTest::addRow("RSA n is a number") << rs << jwksOf({with(rsa, "n", 12345)}) << "n must be a string";
    QTest::addRow("RSA e even") << rs << jwksOf({with(rsa, "e", "AQAA")}) << "odd";
    QTest::addRow("RSA e is 1") << rs << jwksOf({with(rsa, "e", "AQ")}) << "odd";
    QTest::addRow("RSA 1024 bits")
        << rs << jwksOf({jwkOf(makeRsa(1024).publicPem, "small")}) << "2048";
    QTest::addRow("RSA private key")
        << rs << jwksOf({with(rsa, "d", "AQAB")}) << "private key";
    QTest::addRow("private key marked enc")
        << rs << jwksOf({rsa, with(with(rsa, "use", "enc"), "d", "AQAB")}) << "private key";

    // EC.
    QTest::addRow("EC on P-384") << es << jwksOf({jwkOf(makeEc("P-384").publicPem, "big")}) << "P-256";
    QTest::addRow("EC without crv") << es << jwksOf({without(ec, "crv")}) << "no crv";
    QTest::addRow("EC without y") << es << jwksOf({without(ec, "y")}) << "y is missing";
    QTest::addRow("EC short x")
        << es << jwksOf({with(ec, "x", QString::fromLatin1(b64url(QByteArray(31, 'x'))))}) << "32";
    {
        QByteArray y = QByteArray::fromBase64(ec["y"].toString().toLatin1(),
                                              QByteArray::Base64UrlEncoding);
        y[31] = static_cast<char>(y[31] ^ 1);
        QTest::addRow("EC point not on the curve")
            << es << jwksOf({with(ec, "y", QString::fromLatin1(b64url(y)))}) << "not a point on P-256";
    }

    // kty and alg.
    QTest::addRow("kty missing") << both << jwksOf({without(rsa, "kty")}) << "no kty";
    QTest::addRow("kty oct") << both << jwksOf({QJsonObject{{"kty", "oct"}, {"k", "c2VjcmV0"}}})
                             << "not supported";
    QTest::addRow("kty OKP")
        << both << jwksOf({QJsonObject{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "AA"}}})
        << "not supported";
    QTest::addRow("RSA with alg ES256")
        << both << jwksOf({with(rsa, "alg", "ES256")}) << "does not match kty";
    QTest::addRow("EC with alg RS256")
        << both << jwksOf({with(ec, "alg", "RS256")}) << "does not match kty";
    QTest::addRow("alg not configured") << es << jwksOf({ec, with(rsa, "alg", "RS256")})
                                        << "not among the algorithms";
    QTest::addRow("alg RS384")
        << both << jwksOf({with(rsa, "alg", "RS384")}) << "not among the algorithms";
    QTest::addRow("alg none")
        << both << jwksOf({with(rsa, "alg", "none")}) << "not among the algorithms";
    QTest::addRow("RSA key on an ES256-only key")
        << es << jwksOf({ec, rsa}) << "not among the algorithms";
    QTest::addRow("kid not a string") << both << jwksOf({with(rsa, "kid", 7)}) << "kid must be a string";
    QTest::addRow("use not a string")
        << both << jwksOf({with(rsa, "use", true)}) << "use must be a string";

    // The key configuration.
    QTest::addRow("HS256 with a JWKS") << QStringList{"HS256"} << jwksOf({rsa}) << "HS256 cannot";
}

void TestJwks::createJwks()
{
    QFETCH(QStringList, algorithms);
    QFETCH(QByteArray, jwks);
    QFETCH(QString, error);

    std::vector<std::string> names;
    for (const auto& name : algorithms)
        names.push_back(name.toStdString());
    config::AuthConfig auth;
    auth.keys = {jwksKey("my-key", jwks, names)};

    const QString problem = createOutcome(JwtVerifier::create(auth), "my-key", error);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// A JWKS key holds nothing else: a secret or a PEM next to it is refused.
void TestJwks::createJwksWithOtherMaterial()
{
    const QByteArray jwks = jwksOf({jwkOf(m_rsa.publicPem, "r1")});
    config::AuthConfig auth;
    auth.keys = {jwksKey("my-key", jwks, {"RS256"})};
    auth.keys[0].secret = kSecret1;
    auto verifier = JwtVerifier::create(auth);
    QVERIFY(!verifier.ok());
    QVERIFY2(verifier.error().message.find("cannot also have a secret") != std::string::npos,
             verifier.error().message.c_str());

    auth.keys[0].secret.clear();
    auth.keys[0].publicKeyPem = m_rsa.publicPem;
    verifier = JwtVerifier::create(auth);
    QVERIFY(!verifier.ok());
    QVERIFY2(verifier.error().message.find("both a JWKS and a public key") != std::string::npos,
             verifier.error().message.c_str());

    // The JWKS keys sit next to ordinary keys.
    auth.keys = {hsKey("k1", kSecret1), jwksKey("idp", jwks, {"RS256"})};
    verifier = JwtVerifier::create(auth);
    QVERIFY2(verifier.ok(), verifier.ok() ? "" : verifier.error().message.c_str());
    const auto hs = (*verifier)->verify(view(sign(JWT_ALG_HS256, kSecret1, claims())), kNow);
    QVERIFY(std::holds_alternative<Claims>(hs));
    const auto rs =
        (*verifier)->verify(view(sign(JWT_ALG_RS256, m_rsa.privatePem, claims(), "r1")), kNow);
    QVERIFY(std::holds_alternative<Claims>(rs));
}

QTEST_APPLESS_MAIN(TestJwks)
#include "tst_jwks.moc"
