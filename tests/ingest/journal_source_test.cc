// The journal source: only entries whose trusted fields name a configured
// unit or command are admitted, each renders as exactly one line, a cursor
// resumes exactly after the last entry, and files that appear later
// (rotation, a journald restart) are followed. Journal files are built with
// systemd-journal-remote from export-format text written here, so no running
// systemd is needed.
#include "src/ingest/journal_source.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

extern char** environ;

namespace exact::ingest {
namespace {

using ::testing::HasSubstr;

using Entry = std::vector<std::pair<std::string, std::string>>;

constexpr int64_t kT0 = 1700000000123456;  // 2023-11-14T22:13:20.123456Z
constexpr char kBoot[] = "0123456789abcdef0123456789abcdef";
constexpr char kLogin[] =
    "imap-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1";

// An entry as journald would have written it for a process of `unit`;
// `i` orders entries (time stamps i seconds after kT0).
Entry Make(int i, const std::string& unit, const std::string& comm, const std::string& identifier,
           const std::string& message, const std::string& uid = "0") {
  Entry e = {{"__REALTIME_TIMESTAMP", std::to_string(kT0 + int64_t{i} * 1000000)},
             {"__MONOTONIC_TIMESTAMP", std::to_string(1000000 + int64_t{i} * 1000)},
             {"_BOOT_ID", kBoot},
             {"_HOSTNAME", "mail1"},
             {"_PID", std::to_string(1000 + i)},
             {"_UID", uid}};
  if (!unit.empty()) e.push_back({"_SYSTEMD_UNIT", unit});
  if (!comm.empty()) e.push_back({"_COMM", comm});
  if (!identifier.empty()) e.push_back({"SYSLOG_IDENTIFIER", identifier});
  if (!message.empty()) e.push_back({"MESSAGE", message});
  return e;
}

// A Dovecot login for user<i>, logged by Dovecot's log process.
Entry Login(int i) {
  return Make(i, "dovecot.service", "log", "dovecot",
              absl::StrCat("imap-login: Login: user=<user", i, ">, method=PLAIN, rip=192.0.2.", i,
                           ", lip=192.0.2.1"));
}

// What Login(i) renders as.
std::string LoginLine(int i) {
  return RenderJournalLine(kT0 + int64_t{i} * 1000000, "mail1", "dovecot", std::to_string(1000 + i),
                           absl::StrCat("imap-login: Login: user=<user", i,
                                        ">, method=PLAIN, rip=192.0.2.", i, ", lip=192.0.2.1"));
}

// The journal export format: text fields, or the binary form (name, newline,
// little-endian 64-bit length, bytes, newline) for values with controls.
std::string Export(const std::vector<Entry>& entries) {
  std::string out;
  for (const Entry& e : entries) {
    for (const auto& [name, value] : e) {
      bool binary = false;
      for (char c : value) binary |= static_cast<unsigned char>(c) < 0x20;
      if (!binary) {
        absl::StrAppend(&out, name, "=", value, "\n");
        continue;
      }
      absl::StrAppend(&out, name, "\n");
      uint64_t size = value.size();
      for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((size >> (8 * b)) & 0xff));
      absl::StrAppend(&out, value, "\n");
    }
    out.push_back('\n');
  }
  return out;
}

class JournalSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/exact-journal-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(::access(EXACT_JOURNAL_REMOTE, X_OK), 0)
        << EXACT_JOURNAL_REMOTE << " is missing: install systemd-journal-remote (tools/setup)";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `entries` to journal file `path` (a name ending .journal),
  // appending if it exists, as journald appends to its active file.
  void Build(const std::string& path, const std::vector<Entry>& entries) {
    const std::string input = absl::StrCat(dir_, "/export-", ++builds_);
    std::ofstream(input, std::ios::binary) << Export(entries);
    const std::string output = absl::StrCat("--output=", path);
    const std::string log = input + ".log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const char* argv[] = {EXACT_JOURNAL_REMOTE, output.c_str(), input.c_str(), nullptr};
    pid_t pid;
    ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, const_cast<char**>(argv), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    std::stringstream text;
    text << std::ifstream(log).rdbuf();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text.str();
  }
  // Builds the file elsewhere and renames it in, so the watched directory
  // sees a whole file appear at once, as journald's rotation shows it.
  void MoveIn(const std::string& dir, const std::string& name, const std::vector<Entry>& entries) {
    const std::string staged = absl::StrCat(dir_, "/staged-", ++builds_, ".journal");
    Build(staged, entries);
    ASSERT_EQ(::rename(staged.c_str(), absl::StrCat(dir, "/", name).c_str()), 0);
  }
  std::string MakeDir(const std::string& name) {
    const std::string d = absl::StrCat(dir_, "/", name);
    ::mkdir(d.c_str(), 0755);
    return d;
  }

  static JournalOptions Dovecot() {
    JournalOptions o;
    o.units = {"dovecot.service"};
    o.from_start = true;
    return o;
  }
  static std::unique_ptr<JournalSource> OpenOrDie(const JournalOptions& o) {
    auto source = JournalSource::Open(o);
    EXPECT_TRUE(source.ok()) << source.status();
    return source.ok() ? std::move(*source) : nullptr;
  }
  // Everything a Read of up to `max` entries renders.
  static std::string ReadAll(JournalSource* source, size_t max = 1000) {
    std::string out;
    auto lines = source->Read(&out, max);
    EXPECT_TRUE(lines.ok()) << lines.status();
    return out;
  }

  std::string dir_;
  int builds_ = 0;
};

TEST_F(JournalSourceTest, TrustedDovecotLoginRendersTheExactLine) {
  const std::string file = dir_ + "/x.journal";
  Build(file, {Make(0, "dovecot.service", "imap-login", "dovecot", kLogin)});
  JournalOptions o = Dovecot();
  o.files = {file};
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  std::string out;
  auto lines = source->Read(&out, 10);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(*lines, 1u);
  EXPECT_EQ(out,
            "2023-11-14T22:13:20.123456+00:00 mail1 dovecot[1000]: imap-login: Login: "
            "user=<alice>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1\n");
  EXPECT_EQ(source->counts().entries, 1u);
  EXPECT_EQ(source->counts().admitted, 1u);
  EXPECT_EQ(source->counts().untrusted, 0u);
}

TEST_F(JournalSourceTest, ForgedTagWithoutTrustedFieldsIsCountedUntrusted) {
  const std::string file = dir_ + "/x.journal";
  Entry user_unit = Make(2, "user@1000.service", "dovecot", "dovecot", kLogin, "1000");
  // A user's own unit named dovecot.service: journald puts the name in
  // _SYSTEMD_USER_UNIT, never in _SYSTEMD_UNIT.
  user_unit.push_back({"_SYSTEMD_USER_UNIT", "dovecot.service"});
  Build(file, {
                  // `logger -t dovecot ...` from a login session.
                  Make(1, "session-3.scope", "logger", "dovecot", kLogin, "1000"),
                  user_unit,
                  // A logger that exited before journald looked at it: no
                  // _SYSTEMD_UNIT, no _COMM at all.
                  Make(3, "", "", "dovecot", kLogin, "1000"),
              });
  JournalOptions o = Dovecot();
  o.files = {file};
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(ReadAll(source.get()), "");
  EXPECT_EQ(source->counts().entries, 3u);
  EXPECT_EQ(source->counts().untrusted, 3u);
  EXPECT_EQ(source->counts().admitted, 0u);
}

TEST_F(JournalSourceTest, CommandNeedsItsUidWhenUidsAreGiven) {
  const std::string file = dir_ + "/x.journal";
  Build(file, {
                  Make(1, "", "imap-login", "", kLogin, "0"),
                  // A copy of logger named imap-login, run by a user.
                  Make(2, "", "imap-login", "", kLogin, "1000"),
              });
  JournalOptions o;
  o.commands = {"imap-login"};
  o.uids = {0};
  o.files = {file};
  o.from_start = true;
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  // No SYSLOG_IDENTIFIER: the tag is _COMM.
  EXPECT_EQ(ReadAll(source.get()),
            RenderJournalLine(kT0 + 1000000, "mail1", "imap-login", "1001", kLogin));
  EXPECT_EQ(source->counts().admitted, 1u);
  EXPECT_EQ(source->counts().untrusted, 1u);
}

TEST_F(JournalSourceTest, MessageWithNewlinesRendersAsOneLine) {
  const std::string file = dir_ + "/x.journal";
  const std::string message("imap-login: Login: user=<a\nb>, method=PLAIN,\r rip=192.0.2.7\0x\n",
                            62);
  Build(file, {Make(0, "dovecot.service", "log", "dovecot", message)});
  JournalOptions o = Dovecot();
  o.files = {file};
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(ReadAll(source.get()),
            "2023-11-14T22:13:20.123456+00:00 mail1 dovecot[1000]: imap-login: Login: "
            "user=<a b>, method=PLAIN,  rip=192.0.2.7 x \n");
}

TEST_F(JournalSourceTest, AdmittedEntryWithoutMessageIsCountedBad) {
  const std::string file = dir_ + "/x.journal";
  Build(file, {Make(0, "dovecot.service", "log", "dovecot", ""), Login(1)});
  JournalOptions o = Dovecot();
  o.files = {file};
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(ReadAll(source.get()), LoginLine(1));
  EXPECT_EQ(source->counts().bad, 1u);
  EXPECT_EQ(source->counts().entries, 2u);
}

TEST_F(JournalSourceTest, CursorResumesExactlyAfterTheLastEntryConsumed) {
  const std::string file = dir_ + "/x.journal";
  std::vector<Entry> entries;
  std::string all;
  for (int i = 1; i <= 6; ++i) {
    if (i == 3) {
      entries.push_back(Make(i, "session-3.scope", "logger", "dovecot", kLogin, "1000"));
    } else {
      entries.push_back(Login(i));
      all += LoginLine(i);
    }
  }
  Build(file, entries);
  JournalOptions o = Dovecot();
  o.files = {file};

  // Stop after the forged entry (3): the cursor is an entry never admitted.
  auto first = OpenOrDie(o);
  ASSERT_NE(first, nullptr);
  std::string head;
  auto lines = first->Read(&head, 3);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(*lines, 2u);
  EXPECT_EQ(head, LoginLine(1) + LoginLine(2));
  ASSERT_FALSE(first->cursor().empty());

  JournalOptions resume = o;
  resume.cursor = first->cursor();
  resume.from_start = false;
  auto second = OpenOrDie(resume);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->cursor(), resume.cursor);  // Nothing consumed yet.
  const std::string tail = ReadAll(second.get());
  EXPECT_EQ(head + tail, all);              // No repeat, no loss.
  EXPECT_EQ(second->counts().entries, 3u);  // 4, 5, 6: not 3 again.
  EXPECT_EQ(ReadAll(first.get()), tail);    // The same as reading on.

  // From the cursor of the very last entry: nothing more.
  resume.cursor = second->cursor();
  auto third = OpenOrDie(resume);
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(ReadAll(third.get()), "");
  EXPECT_EQ(third->counts().entries, 0u);
  EXPECT_EQ(third->cursor(), second->cursor());
}

TEST_F(JournalSourceTest, ReadConsumesAtMostMaxEntries) {
  const std::string file = dir_ + "/x.journal";
  Build(file, {Login(1), Login(2), Login(3)});
  JournalOptions o = Dovecot();
  o.files = {file};
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(ReadAll(source.get(), 0), "");
  EXPECT_EQ(ReadAll(source.get(), 1), LoginLine(1));
  EXPECT_EQ(ReadAll(source.get(), 1), LoginLine(2));
  EXPECT_EQ(ReadAll(source.get(), 5), LoginLine(3));
  EXPECT_EQ(ReadAll(source.get(), 5), "");
  EXPECT_EQ(source->counts().entries, 3u);
}

TEST_F(JournalSourceTest, SinceSeeksToTheRealtime) {
  const std::string file = dir_ + "/x.journal";
  Build(file, {Login(1), Login(2), Login(3)});
  JournalOptions o = Dovecot();
  o.files = {file};
  o.from_start = false;
  o.since_us = kT0 + 2 * 1000000;  // Login(2)'s own time: included.
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(ReadAll(source.get()), LoginLine(2) + LoginLine(3));
}

// fail2ban's journal backend went silent after journal rotation and journald
// restarts (its issues #3396, #2139): files that appeared after it opened the
// journal were never read. Here each change is one the fd reports and
// Process() + Read() follows, with nothing lost or read twice.
TEST_F(JournalSourceTest, DirectoryFollowsRotationAndJournaldRestart) {
  const std::string journal = MakeDir("journal");
  MoveIn(journal, "system.journal", {Login(1), Login(2)});
  JournalOptions o = Dovecot();
  o.directory = journal;
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(ReadAll(source.get()), LoginLine(1) + LoginLine(2));
  EXPECT_EQ(ReadAll(source.get()), "");

  auto readable = [&] {
    pollfd p = {source->fd(), POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
  };
  // Rotation: the active file is archived under a new name and a new one
  // takes its place.
  const std::string active = journal + "/system.journal";
  ASSERT_EQ(::rename(active.c_str(),
                     (journal + "/system@0123456789abcdef0123456789abcdef-0000000000000001-"
                                "0005ec3a32c926a8.journal")
                         .c_str()),
            0);
  MoveIn(journal, "system.journal", {Login(3), Login(4)});
  EXPECT_TRUE(readable());
  ASSERT_TRUE(source->Process().ok());
  EXPECT_EQ(ReadAll(source.get()), LoginLine(3) + LoginLine(4));

  // A journald restart after a crash: the unclean file is set aside as
  // .journal~ and a fresh one started.
  ASSERT_EQ(::rename(active.c_str(), (active + "~").c_str()), 0);
  MoveIn(journal, "system.journal", {Login(5)});
  EXPECT_TRUE(readable());
  ASSERT_TRUE(source->Process().ok());
  EXPECT_EQ(ReadAll(source.get()), LoginLine(5));
  EXPECT_GE(source->counts().invalidations, 1u);
  EXPECT_EQ(source->counts().entries, 5u);
}

TEST_F(JournalSourceTest, ReadAloneFollowsANewFile) {
  // A caller that never polls fd() and only calls Read() on a timer.
  const std::string journal = MakeDir("journal");
  MoveIn(journal, "a.journal", {Login(1)});
  JournalOptions o = Dovecot();
  o.directory = journal;
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(ReadAll(source.get()), LoginLine(1));
  MoveIn(journal, "b.journal", {Login(2)});
  EXPECT_EQ(ReadAll(source.get()), LoginLine(2));
}

TEST_F(JournalSourceTest, TailReadsOnlyWhatComesAfterOpen) {
  const std::string journal = MakeDir("journal");
  MoveIn(journal, "a.journal", {Login(1), Login(2)});
  JournalOptions o = Dovecot();
  o.from_start = false;
  o.directory = journal;
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  const std::string at_open = source->cursor();
  EXPECT_FALSE(at_open.empty());  // Login(2): resuming from it skips both.
  EXPECT_EQ(ReadAll(source.get()), "");
  MoveIn(journal, "b.journal", {Login(3), Login(4)});
  ASSERT_TRUE(source->Process().ok());
  EXPECT_EQ(ReadAll(source.get()), LoginLine(3) + LoginLine(4));

  JournalOptions resume = o;
  resume.cursor = at_open;
  auto again = OpenOrDie(resume);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(ReadAll(again.get()), LoginLine(3) + LoginLine(4));
}

TEST_F(JournalSourceTest, TailOfAnEmptyJournalLosesNothingThatComesLater) {
  // From libsystemd's tail position the first read jumps to the newest
  // entry; with nothing there at Open() every later entry must be read.
  const std::string journal = MakeDir("journal");
  JournalOptions o = Dovecot();
  o.from_start = false;
  o.directory = journal;
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->cursor(), "");
  MoveIn(journal, "a.journal", {Login(1), Login(2), Login(3)});
  ASSERT_TRUE(source->Process().ok());
  EXPECT_EQ(ReadAll(source.get()), LoginLine(1) + LoginLine(2) + LoginLine(3));
}

TEST_F(JournalSourceTest, EntriesAppendedToAnOpenFileAreRead) {
  const std::string journal = MakeDir("journal");
  const std::string file = journal + "/system.journal";
  Build(file, {Login(1)});
  for (const bool by_directory : {true, false}) {
    SCOPED_TRACE(by_directory ? "directory" : "files");
    JournalOptions o = Dovecot();
    if (by_directory) {
      o.directory = journal;
    } else {
      o.files = {file};
    }
    auto source = OpenOrDie(o);
    ASSERT_NE(source, nullptr);
    ReadAll(source.get());
    const int next = by_directory ? 2 : 3;
    Build(file, {Login(next)});
    pollfd p = {source->fd(), POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 0), 1);
    ASSERT_TRUE(source->Process().ok());
    EXPECT_EQ(ReadAll(source.get()), LoginLine(next));
  }
}

TEST_F(JournalSourceTest, TailWithNothingMatchingYetLosesNothingAppendedLater) {
  // Other programs' entries only: the tail has no entry of ours to stand
  // on, and from libsystemd's tail position the first read would jump to
  // the newest entry appended, losing those before it.
  const std::string journal = MakeDir("journal");
  const std::string file = journal + "/system.journal";
  Build(file, {Make(1, "cron.service", "cron", "CRON", "(root) CMD (true)")});
  JournalOptions o = Dovecot();
  o.from_start = false;
  o.directory = journal;
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->cursor(), "");
  Build(file, {Login(2), Login(3), Login(4)});
  ASSERT_TRUE(source->Process().ok());
  EXPECT_EQ(ReadAll(source.get()), LoginLine(2) + LoginLine(3) + LoginLine(4));
}

TEST_F(JournalSourceTest, BadOptionsAreRejectedWithEveryProblem) {
  struct Case {
    JournalOptions options;
    std::vector<std::string> messages;
  };
  JournalOptions none;
  JournalOptions suffixless;
  suffixless.units = {"dovecot", ""};
  suffixless.commands = {"a-very-long-command-name"};
  suffixless.files = {"/x.journal"};
  suffixless.directory = "/var/log/journal";
  suffixless.since_us = -1;
  const Case cases[] = {
      {none, {"journal input: neither a unit nor a command is given"}},
      {suffixless,
       {"unit \"dovecot\" has no type suffix, so no _SYSTEMD_UNIT can equal it (did you mean "
        "\"dovecot.service\"?)",
        "a unit name is empty",
        "command \"a-very-long-command-name\" is longer than the 15 bytes the kernel keeps of a "
        "process name, so no _COMM can equal it (did you mean \"a-very-long-com\"?)",
        "both journal files and a journal directory are given; give one", "since_us is negative"}},
  };
  for (const Case& c : cases) {
    auto source = JournalSource::Open(c.options);
    ASSERT_FALSE(source.ok());
    EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
    for (const std::string& m : c.messages) EXPECT_THAT(source.status().message(), HasSubstr(m));
  }
}

TEST_F(JournalSourceTest, MalformedCursorIsInvalidArgument) {
  const std::string file = dir_ + "/x.journal";
  Build(file, {Login(1)});
  JournalOptions o = Dovecot();
  o.files = {file};
  o.cursor = "not a cursor";
  auto source = JournalSource::Open(o);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(source.status().message(), HasSubstr("\"not a cursor\" is malformed"));
}

TEST_F(JournalSourceTest, MissingFileIsNotFound) {
  JournalOptions o = Dovecot();
  o.files = {dir_ + "/missing.journal"};
  auto source = JournalSource::Open(o);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(source.status().message(), HasSubstr("missing.journal"));
}

TEST_F(JournalSourceTest, CheckAccessNamesFilesTheUserCannotRead) {
  const std::string journal = MakeDir("journal");
  MoveIn(journal, "system.journal", {Login(1)});
  MoveIn(journal, "locked.journal", {Login(2)});
  const std::string locked = journal + "/locked.journal";
  ASSERT_EQ(::chmod(locked.c_str(), 0600), 0);
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  ASSERT_EQ(::chmod((journal + "/system.journal").c_str(), 0644), 0);
  JournalOptions o = Dovecot();
  o.directory = journal;
  auto source = OpenOrDie(o);
  ASSERT_NE(source, nullptr);
  if (::geteuid() != 0) {
    ASSERT_EQ(::chmod(locked.c_str(), 0), 0);
    const absl::Status status = source->CheckAccess();
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(status.message(), HasSubstr(locked));
    EXPECT_THAT(status.message(), ::testing::Not(HasSubstr("system.journal")));
    return;
  }
  EXPECT_TRUE(source->CheckAccess().ok());
  // As root every file is readable: check as nobody, as exact is after its
  // privilege drop. The child reports through its exit code.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) _exit(2);
    const absl::Status status = source->CheckAccess();
    const bool ok = status.code() == absl::StatusCode::kPermissionDenied &&
                    absl::StrContains(status.message(), locked) &&
                    !absl::StrContains(status.message(), "system.journal");
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(RenderJournalLine, FieldsCannotMoveTheLineStructure) {
  EXPECT_EQ(RenderJournalLine(0, "", "", "", "m"), "1970-01-01T00:00:00.000000+00:00 - -: m\n");
  EXPECT_EQ(RenderJournalLine(-1, "my host", "dove[cot]:", "1 2", "m"),
            "1969-12-31T23:59:59.999999+00:00 my_host dove_cot__[1_2]: m\n");
  EXPECT_EQ(RenderJournalLine(0, "h", std::string(300, 't'), "1", "m"),
            absl::StrCat("1970-01-01T00:00:00.000000+00:00 h ", std::string(255, 't'), "[1]: m\n"));
}

TEST(RenderJournalLine, LongMessageIsCutToTheLineLimit) {
  const std::string message(kMaxJournalLineBytes + 10, 'x');
  std::string line;
  EXPECT_TRUE(AppendJournalLine(&line, kT0, "h", "t", "1", message));
  EXPECT_EQ(line.size(), kMaxJournalLineBytes + 1);
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  line.clear();
  EXPECT_FALSE(AppendJournalLine(&line, kT0, "h", "t", "1", "short"));
}

}  // namespace
}  // namespace exact::ingest
