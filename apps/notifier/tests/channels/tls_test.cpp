// tests/channels/tls_test.cpp: https webhooks to a local TLS receiver. The test makes a
// self-signed certificate with OpenSSL, serves it from the receiver, and trusts it through the
// request's ca_file; without that file the system's CAs do not know it and the handshake fails.

#include "notifier/http/client.hpp"
#include "notifier/io/io_runner.hpp"

#include "support/temp_dir.hpp"
#include "support/webhook_receiver.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>

namespace notifier::http {
namespace {

using namespace std::chrono_literals;
using test_support::tls_files;
using test_support::webhook_receiver;

using testing::temp_dir;

void write_pem(const std::filesystem::path& file, X509* cert, EVP_PKEY* key) {
  std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(file.c_str(), "w"), &std::fclose);
  if (!out) {
    throw std::runtime_error("cannot write " + file.string());
  }
  const int ok = cert != nullptr
                     ? PEM_write_X509(out.get(), cert)
                     : PEM_write_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  if (ok != 1) {
    throw std::runtime_error("PEM_write failed");
  }
}

// A self-signed P-256 certificate for the names in `san` ("DNS:localhost,IP:127.0.0.1"),
// valid from an hour ago for a day, written as PEM files in `dir`.
tls_files make_self_signed(const std::filesystem::path& dir, const std::string& san) {
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  std::unique_ptr<X509, void (*)(X509*)> cert(X509_new(), &X509_free);
  if (!key || !cert) {
    throw std::runtime_error("cannot make a key or a certificate");
  }
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("otter test receiver"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, san.c_str()},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr || X509_add_ext(cert.get(), ext, -1) != 1) {
      throw std::runtime_error("cannot add a certificate extension");
    }
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("cannot sign the certificate");
  }
  tls_files files{.certificate_chain = (dir / "cert.pem").string(),
                  .private_key = (dir / "key.pem").string()};
  write_pem(files.certificate_chain, cert.get(), nullptr);
  write_pem(files.private_key, nullptr, key.get());
  return files;
}

http_result post_and_wait(io_runner& io, http_request request) {
  std::promise<http_result> done;
  auto got = done.get_future();
  async_post(io, std::move(request), [&done](http_result r) { done.set_value(std::move(r)); });
  return got.get();
}

class TlsTest : public ::testing::Test {
protected:
  temp_dir dir;
  tls_files files = make_self_signed(dir.path(), "DNS:localhost,IP:127.0.0.1");
  io_runner io{1};
};

TEST_F(TlsTest, PostsOverHttpsToAReceiverWhoseCertificateIsTrusted) {
  webhook_receiver rx(files);
  rx.script({{.status = 204, .body = {}, .hang = false}});
  http_result r = post_and_wait(
      io, http_request{.url = rx.url(), .body = "secret", .ca_file = files.certificate_chain});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 204);
  ASSERT_EQ(rx.request_count(), 1u);
  EXPECT_EQ(rx.requests().front().body, "secret");
}

TEST_F(TlsTest, AHostNameIsCheckedAgainstTheCertificate) {
  webhook_receiver rx(files);
  // localhost is in /etc/hosts; the name goes out as SNI and is matched against the DNS SAN.
  const std::string url = "https://localhost:" + std::to_string(rx.port()) + "/hook";
  http_result r = post_and_wait(io, http_request{.url = url, .ca_file = files.certificate_chain});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
}

TEST_F(TlsTest, AnUntrustedCertificateFailsTheHandshake) {
  webhook_receiver rx(files);
  http_result r = post_and_wait(io, http_request{.url = rx.url()});  // system CAs only
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, http_failure_kind::tls);
  EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(rx.request_count(), 0u);  // nothing was sent
}

TEST_F(TlsTest, ACertificateForAnotherHostFailsTheHandshake) {
  temp_dir other_dir;
  const tls_files other = make_self_signed(other_dir.path(), "DNS:elsewhere.test");
  webhook_receiver rx(other);
  // By address (checked against IP SANs) and by name (DNS SANs, after SNI).
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    const std::string url = "https://" + host + ":" + std::to_string(rx.port()) + "/hook";
    http_result r = post_and_wait(io, http_request{.url = url, .ca_file = other.certificate_chain});
    ASSERT_FALSE(r) << host;
    EXPECT_EQ(r.error().kind, http_failure_kind::tls) << host;
    EXPECT_NE(r.error().message.find("mismatch"), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(rx.request_count(), 0u);
}

TEST_F(TlsTest, AMissingCaFileIsATlsFailure) {
  http_result r = post_and_wait(
      io, http_request{.url = "https://127.0.0.1:9/", .ca_file = "/nonexistent/ca.pem"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, http_failure_kind::tls);
  EXPECT_NE(r.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace notifier::http
