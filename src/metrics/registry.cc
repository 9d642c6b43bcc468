// Prometheus text exposition.
#include "src/metrics/registry.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace exact::metrics {
namespace {

bool NameChar(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (c == ':') return colon;
  return !first && c >= '0' && c <= '9';
}

// HELP text escapes backslash and newline; label values also '"'.
std::string Escape(absl::string_view s, bool quote) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return absl::StrFormat("%.0f", v);
  return absl::StrFormat("%.17g", v);
}

std::string LabelText(const Labels& labels, const std::pair<std::string, std::string>* extra) {
  if (labels.empty() && extra == nullptr) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::string& k, const std::string& v) {
    absl::StrAppend(&out, first ? "" : ",", k, "=\"", Escape(v, true), "\"");
    first = false;
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (extra != nullptr) add(extra->first, extra->second);
  out += "}";
  return out;
}

const char* TypeName(Type t) {
  switch (t) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

bool IsMetricName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!NameChar(name[i], i == 0, true)) return false;
  }
  return true;
}

bool IsLabelName(absl::string_view name) {
  if (name.empty() || absl::StartsWith(name, "__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!NameChar(name[i], i == 0, false)) return false;
  }
  return true;
}

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  counts_.assign(bounds_.size(), 0);
}

void Histogram::Observe(double value) {
  ++count_;
  sum_ += value;
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  if (it != bounds_.end()) ++counts_[static_cast<size_t>(it - bounds_.begin())];
}

Registry::Family* Registry::Find(const std::string& name) {
  for (Family& f : families_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::Status Registry::Declare(const std::string& name, Type type, const std::string& help) {
  if (!IsMetricName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("bad metric name \"", name, "\""));
  }
  if (Find(name) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("metric ", name, " declared twice"));
  }
  families_.push_back(Family{name, type, help, {}, {}});
  return absl::OkStatus();
}

absl::Status Registry::Set(const std::string& name, const Labels& labels, double value) {
  Family* f = Find(name);
  if (f == nullptr || f->type == Type::kHistogram) {
    return absl::InvalidArgumentError(absl::StrCat("no counter or gauge named ", name));
  }
  for (const auto& [k, v] : labels) {
    if (!IsLabelName(k)) return absl::InvalidArgumentError(absl::StrCat("bad label name ", k));
  }
  f->samples[labels] = value;
  return absl::OkStatus();
}

absl::Status Registry::SetHistogram(const std::string& name, const Labels& labels,
                                    const Histogram& h) {
  Family* f = Find(name);
  if (f == nullptr || f->type != Type::kHistogram) {
    return absl::InvalidArgumentError(absl::StrCat("no histogram named ", name));
  }
  for (const auto& [k, v] : labels) {
    if (!IsLabelName(k) || k == "le") {
      return absl::InvalidArgumentError(absl::StrCat("bad label name ", k));
    }
  }
  f->histograms.insert_or_assign(labels, h);
  return absl::OkStatus();
}

std::string Registry::Render() const {
  std::string out;
  for (const Family& f : families_) {
    absl::StrAppend(&out, "# HELP ", f.name, " ", Escape(f.help, false), "\n", "# TYPE ", f.name,
                    " ", TypeName(f.type), "\n");
    for (const auto& [labels, value] : f.samples) {
      absl::StrAppend(&out, f.name, LabelText(labels, nullptr), " ", Number(value), "\n");
    }
    for (const auto& [labels, h] : f.histograms) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < h.upper_bounds().size(); ++i) {
        cumulative += h.counts()[i];
        const std::pair<std::string, std::string> le{"le", Number(h.upper_bounds()[i])};
        absl::StrAppend(&out, f.name, "_bucket", LabelText(labels, &le), " ", cumulative, "\n");
      }
      const std::pair<std::string, std::string> inf{"le", "+Inf"};
      absl::StrAppend(&out, f.name, "_bucket", LabelText(labels, &inf), " ", h.count(), "\n");
      absl::StrAppend(&out, f.name, "_sum", LabelText(labels, nullptr), " ", Number(h.sum()), "\n");
      absl::StrAppend(&out, f.name, "_count", LabelText(labels, nullptr), " ", h.count(), "\n");
    }
  }
  return out;
}

}  // namespace exact::metrics
