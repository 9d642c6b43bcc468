// The start-up sequence (Daemon::Start, in startup.cc). Its order matters:
//   config and matcher (LoadConfigAndMatcher; exit 78 on error) →
//   daemonize → log sink → account, log access → pid file lock →
//   map directories and writers, state file (its log positions say where
//   the reader starts) → open logs → socketmap listener → block signals
//   into a signalfd → drop privileges → publish (the map exists before
//   tailing starts) → start pipeline and reader threads → control loop.
// Everything that needs root is opened before privileges are dropped.
//
// Thread safety: the main thread, before any other starts.
#ifndef EXACT_SRC_DAEMON_STARTUP_H_
#define EXACT_SRC_DAEMON_STARTUP_H_

#include "absl/status/status.h"
#include "src/config/config.h"
#include "src/match/stanza_matcher.h"

namespace exact::daemon {

// `exact --check`: what start-up will need of the logs and the account,
// said now rather than at 3 a.m. Prints to stdout/stderr; returns 0 when
// start-up would pass, EX_CONFIG otherwise.
int ReportCheck(const config::Config& config, const match::StanzaMatcher& matcher);

// The classic double fork into the background, stdio on /dev/null.
absl::Status Daemonize();

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_STARTUP_H_
