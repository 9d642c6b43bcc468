// The metrics registry and its Prometheus text exposition.
#include "src/metrics/registry.h"

#include "gtest/gtest.h"
#include "src/metrics/http_request.h"

namespace exact::metrics {
namespace {

TEST(Registry, RendersFamiliesInDeclarationOrderWithEscapedLabels) {
  Registry r;
  ASSERT_TRUE(r.Declare("exact_lines_read_total", Type::kCounter, "Lines read.\nPer log.").ok());
  ASSERT_TRUE(r.Declare("exact_live_addresses", Type::kGauge, "Live addresses.").ok());
  ASSERT_TRUE(r.Set("exact_lines_read_total", {{"log", "/var/log/a\"b\\c\n"}}, 12).ok());
  ASSERT_TRUE(r.Set("exact_live_addresses", 3).ok());
  EXPECT_EQ(r.Render(),
            "# HELP exact_lines_read_total Lines read.\\nPer log.\n"
            "# TYPE exact_lines_read_total counter\n"
            "exact_lines_read_total{log=\"/var/log/a\\\"b\\\\c\\n\"} 12\n"
            "# HELP exact_live_addresses Live addresses.\n"
            "# TYPE exact_live_addresses gauge\n"
            "exact_live_addresses 3\n");
}

TEST(Registry, HistogramBucketsAreCumulative) {
  Histogram h({0.01, 0.1, 1});
  for (double v : {0.005, 0.01, 0.05, 2.0}) h.Observe(v);
  Registry r;
  ASSERT_TRUE(r.Declare("exact_publish_seconds", Type::kHistogram, "Publish time.").ok());
  ASSERT_TRUE(r.SetHistogram("exact_publish_seconds", {}, h).ok());
  EXPECT_EQ(r.Render(),
            "# HELP exact_publish_seconds Publish time.\n"
            "# TYPE exact_publish_seconds histogram\n"
            "exact_publish_seconds_bucket{le=\"0.01\"} 2\n"
            "exact_publish_seconds_bucket{le=\"0.10000000000000001\"} 3\n"
            "exact_publish_seconds_bucket{le=\"1\"} 3\n"
            "exact_publish_seconds_bucket{le=\"+Inf\"} 4\n"
            "exact_publish_seconds_sum 2.0649999999999999\n"
            "exact_publish_seconds_count 4\n");
}

TEST(Registry, RefusesBadNamesUndeclaredFamiliesAndWrongKinds) {
  Registry r;
  EXPECT_FALSE(r.Declare("1abc", Type::kCounter, "").ok());
  EXPECT_FALSE(r.Declare("a-b", Type::kCounter, "").ok());
  ASSERT_TRUE(r.Declare("a:b_c", Type::kCounter, "").ok());
  EXPECT_TRUE(absl::IsAlreadyExists(r.Declare("a:b_c", Type::kGauge, "")));
  EXPECT_FALSE(r.Set("nope", 1).ok());
  EXPECT_FALSE(r.Set("a:b_c", {{"__x", "1"}}, 1).ok());
  EXPECT_FALSE(r.Set("a:b_c", {{"a:b", "1"}}, 1).ok());
  EXPECT_FALSE(r.SetHistogram("a:b_c", {}, Histogram({1})).ok());
  ASSERT_TRUE(r.Declare("h", Type::kHistogram, "").ok());
  EXPECT_FALSE(r.SetHistogram("h", {{"le", "1"}}, Histogram({1})).ok());
  EXPECT_FALSE(r.Set("h", 1).ok());
}

TEST(HttpRequest, ParsesAGetAndWaitsForTheBlankLine) {
  const std::string get = "GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (size_t n = 0; n < get.size(); ++n) {
    auto r = ParseHttpRequest(get.substr(0, n));
    ASSERT_TRUE(r.ok()) << n;
    EXPECT_FALSE(r->has_value()) << n;
  }
  auto r = ParseHttpRequest(get);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->method, "GET");
  EXPECT_EQ((*r)->path, "/metrics");
}

TEST(HttpRequest, RefusesMalformedAndOversizedHeads) {
  for (const char* bad :
       {"GET metrics HTTP/1.1\r\n\r\n", "GET /metrics\r\n\r\n", "get /metrics HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/2\r\n\r\n", "GET /metrics HTTP/1.1\r\nno colon\r\n\r\n",
        "GET /m\x01 HTTP/1.1\r\n\r\n"}) {
    EXPECT_FALSE(ParseHttpRequest(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseHttpRequest(std::string(kMaxHeadBytes + 1, 'G')).ok());
}

TEST(HttpRequest, MetricsReplyBySpecAndMethod) {
  auto render = [] { return std::string("m 1\n"); };
  EXPECT_EQ(*MetricsReply("GET /metrics HTTP/1.0\n\n", false, render),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            "Content-Length: 4\r\nConnection: close\r\n\r\nm 1\n");
  EXPECT_FALSE(MetricsReply("GET /metrics HTTP/1.0\n", false, render).has_value());
  EXPECT_EQ(MetricsReply("GET /metrics HTTP/1.0\n", true, render)->substr(0, 12), "HTTP/1.1 400");
  EXPECT_EQ(MetricsReply("GET / HTTP/1.0\n\n", false, render)->substr(0, 12), "HTTP/1.1 404");
  EXPECT_EQ(MetricsReply("POST /metrics HTTP/1.0\n\n", false, render)->substr(0, 12),
            "HTTP/1.1 405");
  const std::string head = *MetricsReply("HEAD /metrics HTTP/1.0\n\n", false, render);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace exact::metrics
