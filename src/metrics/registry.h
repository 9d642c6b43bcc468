// A metrics registry rendered in the Prometheus text exposition format
// (version 0.0.4). exact collects on demand: at each scrape or textfile
// write the daemon fills a fresh Registry from its counters, so the
// registry holds plain values and needs no locking; a Histogram is the one
// thing kept between scrapes. docs/metrics.md names every metric.
//
// Thread safety: none; one thread builds and renders a Registry. A
// Histogram is observed and read from one thread too.
#ifndef EXACT_SRC_METRICS_REGISTRY_H_
#define EXACT_SRC_METRICS_REGISTRY_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace exact::metrics {

enum class Type { kCounter, kGauge, kHistogram };

// Label name → value, in name order.
using Labels = std::map<std::string, std::string>;

// Cumulative buckets with fixed upper bounds, as Prometheus histograms.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  const std::vector<double>& upper_bounds() const { return bounds_; }
  // counts()[i]: observations <= upper_bounds()[i] (not cumulative).
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  double sum_ = 0;
};

class Registry {
 public:
  // Declares a family. InvalidArgument for a name Prometheus refuses
  // ([a-zA-Z_:][a-zA-Z0-9_:]*), AlreadyExists for a second declaration.
  absl::Status Declare(const std::string& name, Type type, const std::string& help);
  // Sets one sample of a declared counter or gauge. InvalidArgument for an
  // undeclared family, a histogram, or a bad label name.
  absl::Status Set(const std::string& name, const Labels& labels, double value);
  absl::Status Set(const std::string& name, double value) { return Set(name, {}, value); }
  // Copies a histogram's state in as one sample of a declared histogram.
  absl::Status SetHistogram(const std::string& name, const Labels& labels, const Histogram& h);

  // The exposition: each family's HELP and TYPE, then its samples, in
  // declaration order; a family with no samples shows only HELP and TYPE.
  std::string Render() const;

 private:
  struct Family {
    std::string name;
    Type type;
    std::string help;
    std::map<Labels, double> samples;
    std::map<Labels, Histogram> histograms;
  };
  Family* Find(const std::string& name);
  std::vector<Family> families_;
};

// Whether `name` is a valid metric name; label names also refuse ':' and a
// leading "__".
bool IsMetricName(absl::string_view name);
bool IsLabelName(absl::string_view name);

}  // namespace exact::metrics

#endif  // EXACT_SRC_METRICS_REGISTRY_H_
