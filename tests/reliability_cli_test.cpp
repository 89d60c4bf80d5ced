// Tests of the command line on hostile input and hostile surroundings: empty
// and broken files, field limits, a full disk, Ctrl-C, and the record dump.
#include <catch2/catch.hpp>

#include <date/date.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_run.hpp"
#include "leadfunnel/cli.hpp"

namespace leadfunnel {
namespace {

using nlohmann::json;

Instant fixed_now() { return Instant{date::sys_days{date::year{2026} / 12 / 1}}; }

using testing::Run;

Run run(const std::vector<std::string>& args) { return testing::run_at(args, fixed_now()); }

struct TempFile : testing::TempFile {
  TempFile(const std::string& name, const std::string& bytes) : testing::TempFile("leadfunnel-rel", name, bytes) {}
};

int shell_status(const std::string& command) {
  const int st = std::system(command.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace

TEST_CASE("reliability: an empty or BOM-only file exits 65 and still prints a report with zero counts",
          "[reliability]") {
  for (const std::string& bytes : {std::string(), std::string("\xEF\xBB\xBF"), std::string("\n\n")}) {
    TempFile f("empty.csv", bytes);
    const Run r = run({"report", f.str(), "--as-of", "2026-11-01", "--format", "json"});
    CHECK(r.code == 65);
    const json j = json::parse(r.out);
    CHECK(j["input"]["rows_read"] == 0);
    REQUIRE(j["input"]["file_errors"].size() == 1);
    CHECK(j["input"]["file_errors"][0]["file"] == f.str());
    CHECK(j["conversion"]["rate"].is_null());
    CHECK(r.err.find(f.str()) != std::string::npos);
  }
}

TEST_CASE("reliability: a header-only file gives zero counts, null rates and exit 0", "[reliability]") {
  TempFile f("header.csv", "id,created_at,prospect_at\n");
  const Run r = run({"report", f.str(), "--as-of", "2026-11-01", "--format", "json"});
  CHECK(r.code == 0);
  const json j = json::parse(r.out);
  CHECK(j["input"]["rows_read"] == 0);
  CHECK(j["conversion"]["rate"].is_null());
}

TEST_CASE("reliability: duplicate header names are a file error and every row is listed as rejected",
          "[reliability]") {
  TempFile f("dup.csv", "id,email,email\n1,a,b\n\n2,c,d\n");
  const Run r = run({"report", f.str(), "--as-of", "2026-11-01", "--format", "json"});
  CHECK(r.code == 65);
  const json j = json::parse(r.out);
  CHECK(j["input"]["rows_read"] == 2);
  CHECK(j["input"]["rows_rejected"] == 2);
  REQUIRE(j["input"]["rejections"].size() == 2);
  CHECK(j["input"]["rejections"][0]["line"] == 2);
  CHECK(j["input"]["rejections"][1]["line"] == 4);
  CHECK(j["input"]["file_errors"][0]["message"].get<std::string>().find("columns 2 and 3") != std::string::npos);
}

TEST_CASE("reliability: --strict turns a file error into an error naming the file", "[reliability]") {
  TempFile f("empty.csv", "");
  const Run r = run({"report", f.str(), "--as-of", "2026-11-01", "--strict"});
  CHECK(r.code == 65);
  CHECK(r.out.empty());
  CHECK(r.err.find("empty") != std::string::npos);
}

TEST_CASE("reliability: validate --dump-records prints the parsed records keyed by the header", "[reliability]") {
  TempFile f("dump.csv", "a,b ,c\r\n1,\"x\r\ny\",3\r\n,,\r\n\"q\"\"r\",  s ,\r\n\r\n");
  const Run r = run({"validate", f.str(), "--dump-records", "--format", "json"});
  CHECK(r.code == 0);
  const json expected = json::parse(R"([{"a":"1","b ":"x\r\ny","c":"3"},{"a":"","b ":"","c":""},{"a":"q\"r","b ":"  s ","c":""}])");
  CHECK(json::parse(r.out) == expected);
}

TEST_CASE("reliability: validate --dump-records sends rejections to stderr and exits 65", "[reliability]") {
  TempFile f("dump.csv", "a,b\n1,2\n3\n\"4,5\n");
  const Run r = run({"validate", f.str(), "--dump-records", "--format", "json"});
  CHECK(r.code == 65);
  CHECK(json::parse(r.out) == json::parse(R"([{"a":"1","b":"2"}])"));
  CHECK(r.err.find(":3:") != std::string::npos);
  CHECK(r.err.find(":4:") != std::string::npos);
}

TEST_CASE("reliability: NUL bytes are kept and escaped in JSON output", "[reliability]") {
  TempFile f("nul.csv", std::string("id,source\n1,ads\0x\n", 18));
  const Run r = run({"validate", f.str(), "--dump-records"});
  CHECK(r.code == 0);
  CHECK(r.out.find("\\u0000") != std::string::npos);
  CHECK(json::parse(r.out)[0]["source"] == std::string("ads\0x", 5));
}

TEST_CASE("reliability: --max-field-bytes rejects longer fields and refuses a bad size", "[reliability]") {
  TempFile f("long.csv", "id,note\n1," + std::string(100, 'n') + "\n2,ok\n");
  const Run r = run({"validate", f.str(), "--max-field-bytes", "64", "--format", "json"});
  CHECK(r.code == 65);
  const json j = json::parse(r.out);
  CHECK(j["input"]["rows_read"] == 2);
  CHECK(j["input"]["rows_used"] == 1);
  CHECK(j["input"]["rejections"][0]["line"] == 2);
  CHECK(run({"validate", f.str(), "--max-field-bytes", "1K"}).code == 0);
  for (const char* bad : {"0", "-5", "lots", "1T", ""})
    CHECK(run({"validate", f.str(), "--max-field-bytes", bad}).code == 64);
}

TEST_CASE("reliability: a full disk is exit 74, for stdout and for -o", "[reliability]") {
  if (!std::filesystem::exists("/dev/full")) return;
  const std::string bin = LEADFUNNEL_BINARY;
  const std::string data = std::string(LEADFUNNEL_SOURCE_DIR) + "/data/hubspot-contacts.csv";
  CHECK(shell_status("\"" + bin + "\" report \"" + data + "\" --as-of 2026-11-01 >/dev/full 2>/dev/null") == 74);
  CHECK(shell_status("\"" + bin + "\" report \"" + data + "\" --as-of 2026-11-01 -o /dev/full 2>/dev/null") == 74);
}

TEST_CASE("reliability: Ctrl-C ends a run with exit 130 at once", "[reliability]") {
  int to_child[2];
  REQUIRE(::pipe(to_child) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(to_child[0], 0);
    ::close(to_child[1]);
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execl(LEADFUNNEL_BINARY, LEADFUNNEL_BINARY, "report", "-", "--as-of", "2026-11-01", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(to_child[0]);
  // The run waits for stdin, which stays open: only the signal can end it.
  const char head[] = "id,created_at\n1,2026-01-01\n";
  REQUIRE(::write(to_child[1], head, sizeof head - 1) > 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(pid, SIGINT);
  int status = 0;
  const auto start = std::chrono::steady_clock::now();
  ::waitpid(pid, &status, 0);
  ::close(to_child[1]);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
}

}  // namespace leadfunnel

namespace leadfunnel {

TEST_CASE("reliability: an empty JSON array is zero records, exit 0; as a prospects file it means no prospects",
          "[reliability]") {
  TempFile empty("empty.json", "[]\n");
  const Run alone = run({"report", empty.str(), "--as-of", "2026-11-01", "--format", "json"});
  CHECK(alone.code == 0);
  CHECK(json::parse(alone.out)["input"]["rows_read"] == 0);
  const std::string leads = std::string(LEADFUNNEL_SOURCE_DIR) + "/data/leads.csv";
  const Run joined = run({"report", leads, "--prospects", empty.str(), "--as-of", "2026-11-01", "--format", "json"});
  CHECK(joined.code == 0);
  const json j = json::parse(joined.out);
  CHECK(j["conversion"]["leads"] == 120);
  CHECK(j["conversion"]["prospects"] == 0);
  CHECK(j["conversion"]["rate"] == 0.0);
}

}  // namespace leadfunnel

namespace leadfunnel {

TEST_CASE("reliability: validate --dump-records shows every CSV record, titles and footers included",
          "[reliability]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"id,\n1,\n2,\n", R"([{"id":"1"},{"id":"2"}])"},
      {"company,notes\nAcme,ok\nSalesforce,\n", R"([{"company":"Acme","notes":"ok"},{"company":"Salesforce","notes":""}])"},
      {"a\n\"\"\nx\n", R"([{"a":""},{"a":"x"}])"},
      {"Report title\na,b\n1,2\n", R"([])"},
  };
  for (const auto& [text, expected] : cases) {
    TempFile f("raw.csv", text);
    const Run r = run({"validate", f.str(), "--dump-records", "--format", "json"});
    INFO(text);
    CHECK(json::parse(r.out) == json::parse(expected));
  }
}

}  // namespace leadfunnel
