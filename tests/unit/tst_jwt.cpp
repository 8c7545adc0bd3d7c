// SPDX-License-Identifier: Apache-2.0
// JWT verification, minting and API keys (security/jwt.h). The keys, the signing and
// the JWKS helpers are in support/jwt_test_keys.h; JWKS parsing is tst_jwks.cpp.

#include "security/jwt.h"
#include "support/jwt_test_keys.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QtTest>

#include <jwt.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>

using namespace aldis;
using namespace aldis::security;
using namespace aldis::test;

namespace {

const std::string kSecret2 = "second-hs256-secret-of-at-least-32-byte";

config::JwtKeyConfig pemKey(std::string id, std::string alg, std::string pem)
{
    config::JwtKeyConfig key;
    key.id = std::move(id);
    key.algorithms = {std::move(alg)};
    key.publicKeyPem = std::move(pem);
    return key;
}

} // namespace

class TestJwt : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void verify_data();
    void verify();
    void permissionsClaim();
    void create_data();
    void create();
    void mintRoundTrip();
    void mintRejectsBadInput();
    void apiKeyMatches_data();
    void apiKeyMatches();
    void concurrentVerify();

private:
    config::AuthConfig authFor(const QString& name) const;

    KeyPair m_rsa;
    KeyPair m_ec;
    KeyPair m_rsa2;        // a second RSA key, only in the JWKS
    QByteArray m_jwks;     // rsa-a (m_rsa), rsa-b (m_rsa2), ec-a (m_ec), enc-1 (use enc)
};

void TestJwt::initTestCase()
{
    m_rsa = makeRsa(2048);
    m_ec = makeEc("P-256");
    m_rsa2 = makeRsa(2048);
    m_jwks = jwksOf({with(with(jwkOf(m_rsa.publicPem, "rsa-a"), "alg", "RS256"), "use", "sig"),
                     jwkOf(m_rsa2.publicPem, "rsa-b"),
                     with(jwkOf(m_ec.publicPem, "ec-a"), "alg", "ES256"),
                     with(jwkOf(m_rsa.publicPem, "enc-1"), "use", "enc")});
}

// The node configurations the verify rows name.
config::AuthConfig TestJwt::authFor(const QString& name) const
{
    config::AuthConfig auth;
    auth.leeway = std::chrono::seconds(30);
    if (name == "hs") {
        auth.keys = {hsKey("k1", kSecret1)};
    } else if (name == "rs") {
        auth.keys = {pemKey("rsa", "RS256", m_rsa.publicPem)};
    } else if (name == "es") {
        auth.keys = {pemKey("ec", "ES256", m_ec.publicPem)};
    } else if (name == "all") {
        auth.keys = {hsKey("k1", kSecret1), pemKey("rsa", "RS256", m_rsa.publicPem),
                     pemKey("ec", "ES256", m_ec.publicPem)};
    } else if (name == "iss+aud") {
        auth.keys = {hsKey("k1", kSecret1)};
        auth.issuer = "https://issuer.example";
        auth.audience = "aldis";
    } else if (name == "two-hs") {
        auth.keys = {hsKey("k1", kSecret1), hsKey("k2", kSecret2)};
    } else if (name == "jwks") {
        auth.keys = {jwksKey("idp", m_jwks)};
    } else if (name == "jwks-rs") {
        // Only the RSA JWKs: the set is limited to what RS256 verifies.
        const auto rsaOnly = jwksOf({jwkOf(m_rsa.publicPem, "rsa-a"), jwkOf(m_rsa2.publicPem, "rsa-b")});
        auth.keys = {jwksKey("idp", rsaOnly, {"RS256"})};
    } else if (name == "jwks-nokid") {
        // A JWK without kid answers to the config key's id.
        auth.keys = {jwksKey("idp", jwksOf({jwkOf(m_ec.publicPem)}))};
    } else {
        qFatal("unknown configuration");
    }
    return auth;
}

void TestJwt::verify_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("reason");   // empty: accepted

    const auto good = claims();
    const QString accepted;

    // Valid tokens of each algorithm.
    QTest::addRow("HS256 valid") << "hs" << sign(JWT_ALG_HS256, kSecret1, good) << accepted;
    QTest::addRow("RS256 valid") << "rs" << sign(JWT_ALG_RS256, m_rsa.privatePem, good) << accepted;
    QTest::addRow("ES256 valid") << "es" << sign(JWT_ALG_ES256, m_ec.privatePem, good) << accepted;
    QTest::addRow("ES256 on a node with all keys")
        << "all" << sign(JWT_ALG_ES256, m_ec.privatePem, good) << accepted;
    QTest::addRow("typ absent") << "hs" << signRawHs256({{"alg", "HS256"}}, good, kSecret1) << accepted;

    // Algorithm: refused before any signature check.
    const QByteArray unsignedToken = b64url(json({{"alg", "none"}, {"typ", "JWT"}})) + '.'
        + b64url(json(good)) + '.';
    QTest::addRow("alg none") << "hs" << unsignedToken << "algorithm";
    QTest::addRow("alg none with signature")
        << "hs" << unsignedToken + b64url("forged") << "algorithm";
    QTest::addRow("alg absent") << "hs" << signRawHs256({{"typ", "JWT"}}, good, kSecret1) << "algorithm";
    QTest::addRow("alg lower case")
        << "hs" << signRawHs256({{"alg", "hs256"}, {"typ", "JWT"}}, good, kSecret1) << "algorithm";
    QTest::addRow("alg HS512") << "hs" << sign(JWT_ALG_HS512, kSecret1, good) << "algorithm";
    QTest::addRow("HS/RS confusion")
        << "rs" << sign(JWT_ALG_HS256, m_rsa.publicPem, good) << "algorithm";
    QTest::addRow("HS/ES confusion")
        << "es" << sign(JWT_ALG_HS256, m_ec.publicPem, good) << "algorithm";
    QTest::addRow("RS256 on an HS-only node")
        << "hs" << sign(JWT_ALG_RS256, m_rsa.privatePem, good) << "algorithm";
    QTest::addRow("ES256 on an RS-only node")
        << "rs" << sign(JWT_ALG_ES256, m_ec.privatePem, good) << "algorithm";

    // Signature.
    QTest::addRow("wrong HS key") << "hs" << sign(JWT_ALG_HS256, kSecret2, good) << "signature";
    const QByteArray otherRsa = QByteArray::fromStdString(makeRsa(2048).privatePem);
    QTest::addRow("wrong RS key")
        << "rs" << sign(JWT_ALG_RS256, otherRsa.toStdString(), good) << "signature";
    QTest::addRow("wrong ES key")
        << "es" << sign(JWT_ALG_ES256, makeEc("P-256").privatePem, good) << "signature";
    {
        const QByteArray token = sign(JWT_ALG_HS256, kSecret1, good);
        const QList<QByteArray> parts = token.split('.');
        const QByteArray forged = parts[0] + '.' + b64url(json(with(good, "sub", "mallory")))
            + '.' + parts[2];
        QTest::addRow("tampered payload") << "hs" << forged << "signature";
        QTest::addRow("signature removed") << "hs" << parts[0] + '.' + parts[1] + '.' << "signature";
    }
    {
        const QByteArray token = sign(JWT_ALG_ES256, m_ec.privatePem, good);
        const QList<QByteArray> parts = token.split('.');
        QTest::addRow("ES256 truncated signature")
            << "es" << parts[0] + '.' + parts[1] + '.' + parts[2].left(40) << "signature";
    }

    // Time.
    QTest::addRow("expired") << "hs" << sign(JWT_ALG_HS256, kSecret1, claims(-120)) << "expired";
    QTest::addRow("expired within leeway")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, claims(-10)) << accepted;
    QTest::addRow("missing exp")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, without(good, "exp")) << "missing_exp";
    QTest::addRow("exp is a string")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, with(good, "exp", "tomorrow")) << "missing_exp";
    QTest::addRow("exp is a double")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, with(good, "exp", double(kNow) + 60.5)) << accepted;
    QTest::addRow("future nbf")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, with(good, "nbf", qint64(kNow + 300)))
        << "not_yet_valid";
    QTest::addRow("nbf within leeway")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, with(good, "nbf", qint64(kNow + 10))) << accepted;
    QTest::addRow("past nbf")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, with(good, "nbf", qint64(kNow - 10))) << accepted;

    // Issuer and audience.
    const auto issAud = with(with(good, "iss", "https://issuer.example"), "aud", "aldis");
    QTest::addRow("iss and aud match") << "iss+aud" << sign(JWT_ALG_HS256, kSecret1, issAud) << accepted;
    QTest::addRow("wrong iss")
        << "iss+aud" << sign(JWT_ALG_HS256, kSecret1, with(issAud, "iss", "https://evil.example"))
        << "issuer";
    QTest::addRow("missing iss")
        << "iss+aud" << sign(JWT_ALG_HS256, kSecret1, without(issAud, "iss")) << "issuer";
    QTest::addRow("wrong aud")
        << "iss+aud" << sign(JWT_ALG_HS256, kSecret1, with(issAud, "aud", "billing")) << "audience";
    QTest::addRow("missing aud")
        << "iss+aud" << sign(JWT_ALG_HS256, kSecret1, without(issAud, "aud")) << "audience";
    QTest::addRow("aud array containing the audience")
        << "iss+aud"
        << sign(JWT_ALG_HS256, kSecret1, with(issAud, "aud", QJsonArray{"billing", "aldis"}))
        << accepted;
    QTest::addRow("aud array without the audience")
        << "iss+aud"
        << sign(JWT_ALG_HS256, kSecret1, with(issAud, "aud", QJsonArray{"billing", "admin"}))
        << "audience";
    QTest::addRow("iss not a string on a node without an issuer")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, with(without(issAud, "aud"), "iss", qint64(5))) << "issuer";
    QTest::addRow("iss on a node without an issuer")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, without(issAud, "aud")) << accepted;
    // RFC 7519 4.1.3: a token for a named audience is not for a node that has none.
    QTest::addRow("aud on a node without an audience")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, with(issAud, "aud", "anything")) << "audience";

    // Subject.
    QTest::addRow("missing sub")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, without(good, "sub")) << "missing_sub";
    QTest::addRow("empty sub")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, with(good, "sub", "")) << "missing_sub";
    QTest::addRow("sub is a number")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, with(good, "sub", 42)) << "missing_sub";

    // Garbage.
    QTest::addRow("empty string") << "hs" << QByteArray() << "malformed";
    QTest::addRow("two parts") << "hs" << QByteArray("a.b") << "malformed";
    QTest::addRow("only dots") << "hs" << QByteArray("....") << "malformed";
    QTest::addRow("two dots only") << "hs" << QByteArray("..") << "malformed";
    QTest::addRow("four parts") << "hs" << sign(JWT_ALG_HS256, kSecret1, good) + ".x" << "malformed";
    QByteArray random(600, Qt::Uninitialized);
    QRandomGenerator generator(42);
    for (auto& byte : random)
        byte = static_cast<char>(generator.bounded(256));
    QTest::addRow("random base64") << "hs" << b64url(random) << "malformed";
    QTest::addRow("random base64 in three parts")
        << "hs" << b64url(random.left(200)) + '.' + b64url(random.mid(200, 200)) + '.'
                       + b64url(random.mid(400))
        << "malformed";
    QTest::addRow("100 KB string") << "hs" << QByteArray(100 * 1024, 'a') << "malformed";
    QTest::addRow("100 KB token shape")
        << "hs" << QByteArray(50 * 1024, 'a') + '.' + QByteArray(50 * 1024, 'a') + ".a" << "malformed";
    QTest::addRow("padding") << "hs" << sign(JWT_ALG_HS256, kSecret1, good) + "==" << "malformed";
    QTest::addRow("space inside")
        << "hs" << sign(JWT_ALG_HS256, kSecret1, good).insert(5, ' ') << "malformed";
    QTest::addRow("header is not JSON")
        << "hs" << b64url("not json") + '.' + b64url(json(good)) + ".c2ln" << "malformed";
    QTest::addRow("header is an array")
        << "hs" << b64url("[1]") + '.' + b64url(json(good)) + ".c2ln" << "malformed";
    QTest::addRow("payload is not JSON")
        << "hs" << b64url(json({{"alg", "HS256"}})) + '.' + b64url("{") + ".c2ln" << "malformed";
    QTest::addRow("alg is a number")
        << "hs" << signRawHs256({{"alg", 256}}, good, kSecret1) << "malformed";
    QTest::addRow("typ other than JWT")
        << "hs" << signRawHs256({{"alg", "HS256"}, {"typ", "at+jwt"}}, good, kSecret1) << "malformed";
    QTest::addRow("crit header")
        << "hs"
        << signRawHs256({{"alg", "HS256"}, {"crit", QJsonArray{"exp"}}}, good, kSecret1)
        << "malformed";

    // Permissions claim shape.
    const auto perms = [&](const QJsonValue& value) {
        return sign(JWT_ALG_HS256, kSecret1, with(good, "permissions", value));
    };
    QTest::addRow("permissions valid")
        << "hs" << perms(QJsonObject{{"subscribe", QJsonArray{"chat:*"}}, {"publish", QJsonArray{}}})
        << accepted;
    QTest::addRow("permissions only subscribe")
        << "hs" << perms(QJsonObject{{"subscribe", QJsonArray{"*"}}}) << accepted;
    QTest::addRow("permissions is a string") << "hs" << perms("all") << "permissions";
    QTest::addRow("permissions is null") << "hs" << perms(QJsonValue::Null) << "permissions";
    QTest::addRow("permissions is an array") << "hs" << perms(QJsonArray{"chat:*"}) << "permissions";
    QTest::addRow("subscribe is a string")
        << "hs" << perms(QJsonObject{{"subscribe", "chat:*"}}) << "permissions";
    QTest::addRow("subscribe holds a number")
        << "hs" << perms(QJsonObject{{"subscribe", QJsonArray{1}}}) << "permissions";
    QTest::addRow("inner star")
        << "hs" << perms(QJsonObject{{"publish", QJsonArray{"chat:*:x"}}}) << "permissions";
    QTest::addRow("empty pattern")
        << "hs" << perms(QJsonObject{{"publish", QJsonArray{""}}}) << "permissions";
    QTest::addRow("unknown member")
        << "hs" << perms(QJsonObject{{"publsh", QJsonArray{"chat:*"}}}) << "permissions";

    // kid selects between keys.
    QTest::addRow("kid k1") << "two-hs" << sign(JWT_ALG_HS256, kSecret1, good, "k1") << accepted;
    QTest::addRow("kid k2") << "two-hs" << sign(JWT_ALG_HS256, kSecret2, good, "k2") << accepted;
    QTest::addRow("kid k1 signed with k2")
        << "two-hs" << sign(JWT_ALG_HS256, kSecret2, good, "k1") << "signature";
    QTest::addRow("unknown kid")
        << "two-hs" << sign(JWT_ALG_HS256, kSecret1, good, "k3") << "algorithm";
    QTest::addRow("no kid tries every key")
        << "two-hs" << sign(JWT_ALG_HS256, kSecret2, good) << accepted;
    QTest::addRow("no kid, no key fits")
        << "two-hs" << sign(JWT_ALG_HS256, "third-secret", good) << "signature";

    // JWKS: each JWK is a key; its kid selects it.
    QTest::addRow("JWKS RSA kid rsa-a")
        << "jwks" << sign(JWT_ALG_RS256, m_rsa.privatePem, good, "rsa-a") << accepted;
    QTest::addRow("JWKS RSA kid rsa-b")
        << "jwks" << sign(JWT_ALG_RS256, m_rsa2.privatePem, good, "rsa-b") << accepted;
    QTest::addRow("JWKS EC kid ec-a")
        << "jwks" << sign(JWT_ALG_ES256, m_ec.privatePem, good, "ec-a") << accepted;
    QTest::addRow("JWKS RSA without kid tries every RSA key")
        << "jwks" << sign(JWT_ALG_RS256, m_rsa2.privatePem, good) << accepted;
    QTest::addRow("JWKS EC without kid")
        << "jwks" << sign(JWT_ALG_ES256, m_ec.privatePem, good) << accepted;
    QTest::addRow("JWKS kid selects the other RSA key")
        << "jwks" << sign(JWT_ALG_RS256, m_rsa.privatePem, good, "rsa-b") << "signature";
    QTest::addRow("JWKS kid not in the set")
        << "jwks" << sign(JWT_ALG_RS256, m_rsa.privatePem, good, "rsa-z") << "algorithm";
    QTest::addRow("JWKS kid of an EC key on an RS256 token")
        << "jwks" << sign(JWT_ALG_RS256, m_rsa.privatePem, good, "ec-a") << "algorithm";
    QTest::addRow("JWKS kid of an RSA key on an ES256 token")
        << "jwks" << sign(JWT_ALG_ES256, m_ec.privatePem, good, "rsa-a") << "algorithm";
    QTest::addRow("JWKS use enc is skipped")
        << "jwks" << sign(JWT_ALG_RS256, m_rsa.privatePem, good, "enc-1") << "algorithm";
    QTest::addRow("JWKS unknown RSA key")
        << "jwks" << sign(JWT_ALG_RS256, otherRsa.toStdString(), good) << "signature";
    QTest::addRow("JWKS HS256 signed with the JWKS text")
        << "jwks" << sign(JWT_ALG_HS256, m_jwks.toStdString(), good) << "algorithm";
    QTest::addRow("JWKS HS256 signed with the JWKS text, kid rsa-a")
        << "jwks" << sign(JWT_ALG_HS256, m_jwks.toStdString(), good, "rsa-a") << "algorithm";
    QTest::addRow("JWKS HS256 signed with a JWK's PEM")
        << "jwks" << sign(JWT_ALG_HS256, m_rsa.publicPem, good, "rsa-a") << "algorithm";
    QTest::addRow("JWKS alg none") << "jwks" << unsignedToken << "algorithm";
    QTest::addRow("JWKS RS256 only: RS256 token")
        << "jwks-rs" << sign(JWT_ALG_RS256, m_rsa2.privatePem, good, "rsa-b") << accepted;
    QTest::addRow("JWKS RS256 only: ES256 token")
        << "jwks-rs" << sign(JWT_ALG_ES256, m_ec.privatePem, good) << "algorithm";
    QTest::addRow("JWK without kid, token kid is the key id")
        << "jwks-nokid" << sign(JWT_ALG_ES256, m_ec.privatePem, good, "idp") << accepted;
    QTest::addRow("JWK without kid, token without kid")
        << "jwks-nokid" << sign(JWT_ALG_ES256, m_ec.privatePem, good) << accepted;
    QTest::addRow("JWK without kid, other token kid")
        << "jwks-nokid" << sign(JWT_ALG_ES256, m_ec.privatePem, good, "ec-a") << "algorithm";
}

void TestJwt::verify()
{
    QFETCH(QString, config);
    QFETCH(QByteArray, token);
    QFETCH(QString, reason);

    auto verifier = JwtVerifier::create(authFor(config));
    QVERIFY2(verifier.ok(), verifier.ok() ? "" : verifier.error().message.c_str());
    const auto result = (*verifier)->verify(view(token), kNow);

    if (reason.isEmpty()) {
        const auto* failure = std::get_if<AuthFailure>(&result);
        QVERIFY2(!failure, failure ? (failure->reason + ": " + failure->message).c_str() : "");
        const auto& claims = std::get<Claims>(result);
        QCOMPARE(claims.sub, std::string("alice"));
        QVERIFY(claims.exp >= kNow - 30);
        return;
    }
    const auto* failure = std::get_if<AuthFailure>(&result);
    QVERIFY2(failure, "the token was accepted");
    QCOMPARE(QString::fromStdString(failure->reason), reason);
    QVERIFY(!failure->message.empty());
    QCOMPARE(codeName(failure->code),
             codeName(reason == "expired" ? ErrorCode::token_expired : ErrorCode::unauthorized));
}

void TestJwt::permissionsClaim()
{
    auto verifier = JwtVerifier::create(authFor("hs"));
    QVERIFY(verifier.ok());

    const auto plain = (*verifier)->verify(view(sign(JWT_ALG_HS256, kSecret1, claims())), kNow);
    QVERIFY(std::holds_alternative<Claims>(plain));
    QVERIFY(!std::get<Claims>(plain).permissions);   // absent: no restriction

    const auto token = sign(JWT_ALG_HS256, kSecret1,
                            with(claims(), "permissions",
                                 QJsonObject{{"subscribe", QJsonArray{"chat:*", "news:today"}}}));
    const auto limited = (*verifier)->verify(view(token), kNow);
    QVERIFY(std::holds_alternative<Claims>(limited));
    const auto& permissions = std::get<Claims>(limited).permissions;
    QVERIFY(permissions);
    QCOMPARE(permissions->subscribe, (std::vector<std::string>{"chat:*", "news:today"}));
    QVERIFY(permissions->publish.empty());   // a missing list allows nothing
    QCOMPARE(std::get<Claims>(limited).exp, kNow + 60);

    const auto expired = (*verifier)->verify(view(sign(JWT_ALG_HS256, kSecret1, claims(-120))), kNow);
    QVERIFY(std::holds_alternative<AuthFailure>(expired));
    QVERIFY2(std::get<AuthFailure>(expired).message.find("120 s ago") != std::string::npos,
             std::get<AuthFailure>(expired).message.c_str());
}

void TestJwt::create_data()
{
    QTest::addColumn<QString>("alg");
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QByteArray>("pem");
    QTest::addColumn<QString>("error");   // substring of the message; empty: created

    const auto rsa = QByteArray::fromStdString(m_rsa.publicPem);
    const auto ec = QByteArray::fromStdString(m_ec.publicPem);
    QTest::addRow("HS256 with secret") << "HS256" << QByteArray("s") << QByteArray() << QString();
    QTest::addRow("RS256 with RSA key") << "RS256" << QByteArray() << rsa << QString();
    QTest::addRow("ES256 with P-256 key") << "ES256" << QByteArray() << ec << QString();
    QTest::addRow("HS256 without secret") << "HS256" << QByteArray() << rsa << "needs a secret";
    QTest::addRow("RS256 without key") << "RS256" << QByteArray("s") << QByteArray() << "public key";
    QTest::addRow("RS256 with EC key") << "RS256" << QByteArray() << ec << "RSA";
    QTest::addRow("ES256 with RSA key") << "ES256" << QByteArray() << rsa << "P-256";
    QTest::addRow("ES256 with P-384 key")
        << "ES256" << QByteArray() << QByteArray::fromStdString(makeEc("P-384").publicPem) << "P-256";
    QTest::addRow("RS256 with 1024-bit key")
        << "RS256" << QByteArray() << QByteArray::fromStdString(makeRsa(1024).publicPem) << "2048";
    QTest::addRow("RS256 with private key")
        << "RS256" << QByteArray() << QByteArray::fromStdString(m_rsa.privatePem) << "private key";
    QTest::addRow("RS256 with garbage")
        << "RS256" << QByteArray() << QByteArray("-----BEGIN PUBLIC KEY-----\nxx\n") << "PUBLIC KEY";
    QTest::addRow("unsupported alg") << "HS512" << QByteArray("s") << QByteArray() << "not supported";
    QTest::addRow("alg none") << "none" << QByteArray("s") << QByteArray() << "not supported";
    QTest::addRow("no algorithms") << QString() << QByteArray("s") << QByteArray() << "no algorithms";
}

void TestJwt::create()
{
    QFETCH(QString, alg);
    QFETCH(QByteArray, secret);
    QFETCH(QByteArray, pem);
    QFETCH(QString, error);

    config::AuthConfig auth;
    config::JwtKeyConfig key;
    key.id = "my-key";
    if (!alg.isEmpty())
        key.algorithms = {alg.toStdString()};
    key.secret = secret.toStdString();
    key.publicKeyPem = pem.toStdString();
    auth.keys = {key};

    const QString problem = createOutcome(JwtVerifier::create(auth), "my-key", error);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestJwt::mintRoundTrip()
{
    MintOptions options;
    options.sub = "bob";
    options.ttlSeconds = 600;
    options.issuer = "https://issuer.example";
    options.audience = "aldis";
    options.kid = "k2";
    options.permissions = Permissions{{"chat:*"}, {"chat:room1", "dm#bob,alice"}};
    const auto token = mintHs256(kSecret2, options, kNow);
    QVERIFY2(token.ok(), token.ok() ? "" : token.error().message.c_str());

    config::AuthConfig auth = authFor("two-hs");
    auth.issuer = options.issuer;
    auth.audience = options.audience;
    auto verifier = JwtVerifier::create(auth);
    QVERIFY(verifier.ok());
    const auto result = (*verifier)->verify(*token, kNow);
    const auto* failure = std::get_if<AuthFailure>(&result);
    QVERIFY2(!failure, failure ? failure->message.c_str() : "");
    const auto& claims = std::get<Claims>(result);
    QCOMPARE(claims.sub, std::string("bob"));
    QCOMPARE(claims.exp, kNow + 600);
    QVERIFY(claims.permissions);
    QCOMPARE(claims.permissions->subscribe, options.permissions->subscribe);
    QCOMPARE(claims.permissions->publish, options.permissions->publish);

    // The kid header steers to k2: the same token is refused when k2 is gone.
    config::AuthConfig onlyK1 = authFor("hs");
    auto other = JwtVerifier::create(onlyK1);
    QVERIFY(other.ok());
    const auto refused = (*other)->verify(*token, kNow);
    QVERIFY(std::holds_alternative<AuthFailure>(refused));
    QCOMPARE(std::get<AuthFailure>(refused).reason, std::string("algorithm"));

    // Expires after its ttl (plus leeway).
    const auto late = (*verifier)->verify(*token, kNow + 600 + 31);
    QVERIFY(std::holds_alternative<AuthFailure>(late));
    QCOMPARE(std::get<AuthFailure>(late).reason, std::string("expired"));
}

void TestJwt::mintRejectsBadInput()
{
    MintOptions options;
    options.sub = "bob";
    QVERIFY(!mintHs256("", options, kNow).ok());
    QVERIFY(!mintHs256(kSecret1, MintOptions{}, kNow).ok());   // no sub
    options.ttlSeconds = 0;
    QVERIFY(!mintHs256(kSecret1, options, kNow).ok());
    options.ttlSeconds = 60;
    options.permissions = Permissions{{"bad pattern"}, {}};
    const auto bad = mintHs256(kSecret1, options, kNow);
    QVERIFY(!bad.ok());
    QCOMPARE(codeName(bad.error().code), codeName(ErrorCode::bad_request));
}

void TestJwt::apiKeyMatches_data()
{
    QTest::addColumn<QStringList>("keys");
    QTest::addColumn<QString>("presented");
    QTest::addColumn<bool>("matches");

    const QStringList two{"key-one-0123456789", "key-two-abcdefghij"};
    QTest::addRow("first key") << two << "key-one-0123456789" << true;
    QTest::addRow("second key") << two << "key-two-abcdefghij" << true;
    QTest::addRow("wrong key") << two << "key-three" << false;
    QTest::addRow("prefix of a key") << two << "key-one" << false;
    QTest::addRow("key with suffix") << two << "key-one-0123456789x" << false;
    QTest::addRow("empty presented") << two << QString() << false;
    QTest::addRow("no keys") << QStringList() << "key-one-0123456789" << false;
    QTest::addRow("empty configured key") << QStringList{QString()} << QString() << false;
}

void TestJwt::apiKeyMatches()
{
    QFETCH(QStringList, keys);
    QFETCH(QString, presented);
    QFETCH(bool, matches);
    std::vector<std::string> configured;
    for (const auto& key : keys)
        configured.push_back(key.toStdString());
    QCOMPARE(aldis::security::apiKeyMatches(configured, presented.toStdString()), matches);
}

// One verifier shared by several threads (run under the tsan preset to check the
// libjwt/OpenSSL path for races).
void TestJwt::concurrentVerify()
{
    auto verifier = JwtVerifier::create(authFor("all"));
    QVERIFY(verifier.ok());
    const std::shared_ptr<const JwtVerifier> shared = *verifier;
    const std::vector<QByteArray> tokens{
        sign(JWT_ALG_HS256, kSecret1, claims()),
        sign(JWT_ALG_RS256, m_rsa.privatePem, claims()),
        sign(JWT_ALG_ES256, m_ec.privatePem, claims()),
        sign(JWT_ALG_HS256, kSecret2, claims()),   // refused
    };
    std::atomic<int> accepted{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                const auto& token = tokens[static_cast<std::size_t>((i + t) % 4)];
                const auto result = shared->verify(view(token), kNow);
                (std::holds_alternative<Claims>(result) ? accepted : refused)++;
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    QCOMPARE(accepted.load(), 150);
    QCOMPARE(refused.load(), 50);
}

QTEST_APPLESS_MAIN(TestJwt)
#include "tst_jwt.moc"
