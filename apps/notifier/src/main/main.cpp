// The notifier's executable: parses the command line (CLI11), seeds demo data
// on request, runs a node (notifier/service/node.hpp) until SIGINT or SIGTERM,
// and stops it gracefully.
//
//   notifier --db sqlite:notifier.db --listen 127.0.0.1:8080 --interval 5m
//   notifier --demo          # demo users and tasks, reminders every 10 s
//
// Exit status: 0 after a signal, 1 when the node cannot start or its tree ended
// by itself, 2 for bad command-line arguments.

#include "notifier/service/node.hpp"

#include "main/demo.hpp"
#include "main/listen_address.hpp"
#include <CLI/CLI.hpp>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

namespace {

std::atomic<bool> tree_failed{false};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "notifier: reminds users of their open tasks, every interval, "
      "until they are done",
      "notifier"};
  std::string db = "sqlite:notifier.db";
  std::string listen = "127.0.0.1:8080";
  std::int64_t interval_ms = 0;
  std::int64_t webhook_timeout_ms = 5000;
  bool demo = false;
  std::string admin_token;
  unsigned schedulers = 0;
  std::string ready_file;
  std::string log_level = "info";
  const auto unit_options = static_cast<CLI::AsNumberWithUnit::Options>(
      CLI::AsNumberWithUnit::CASE_SENSITIVE | CLI::AsNumberWithUnit::UNIT_REQUIRED);
  const std::map<std::string, std::int64_t> units{
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"min", 60'000}, {"h", 3'600'000}};

  app.add_option("--db", db, "The store: sqlite:PATH, PATH, or postgres://user@host/db")
      ->capture_default_str();
  app.add_option("--listen", listen, "HOST:PORT of the HTTP API (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--interval", interval_ms,
                 "Time between two reminders of an open task, e.g. 5m, 30s, 500ms "
                 "[default: 5m, or 10s with --demo]")
      ->transform(CLI::AsNumberWithUnit(units, unit_options))
      ->check(CLI::PositiveNumber);
  app.add_option("--webhook-timeout", webhook_timeout_ms, "Time limit of one webhook request")
      ->transform(CLI::AsNumberWithUnit(units, unit_options))
      ->check(CLI::PositiveNumber)
      ->default_str("5s");
  app.add_flag("--demo", demo,
               "Create a demo user with open tasks, remind every 10 s, and "
               "print a curl line");
  app.add_option("--admin-token", admin_token,
                 "Bearer token of POST /users [default: a new random one, "
                 "printed at start]")
      ->envname("NOTIFIER_ADMIN_TOKEN");
  app.add_option("--schedulers", schedulers, "Otter scheduler threads [default: one per core]");
  app.add_option("--ready-file", ready_file,
                 "Write the API's URL to this file once it listens (for "
                 "scripts and tests)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  spdlog::set_level(spdlog::level::from_str(log_level));
  std::optional<notifier::listen_address> where = notifier::parse_listen_address(listen);
  if (!where) {
    std::fprintf(stderr, "--listen: expected HOST:PORT, got \"%s\"\n", listen.c_str());
    return 2;
  }

  // SIGINT and SIGTERM are taken by sigwait below: block them before any thread
  // starts, so that every thread inherits the mask and none is interrupted.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  notifier::node_options options;
  options.db = db;
  options.address = where->host;
  options.port = where->port;
  options.admin_token = admin_token;
  options.schedulers = schedulers;
  options.service.interval = std::chrono::milliseconds(
      interval_ms > 0 ? interval_ms : (demo ? 10'000 : notifier::default_notify_interval.count()));
  options.service.webhook.timeout = std::chrono::milliseconds(webhook_timeout_ms);
  options.on_tree_exit = [](const otter::term&) {
    tree_failed = true;
    kill(getpid(), SIGTERM);  // wakes the sigwait below
  };

  try {
    std::optional<notifier::demo_user> demo_user;
    if (demo) {
      demo_user = notifier::seed_demo(db);
    }
    notifier::node n(std::move(options));
    std::printf(
        "notifier: HTTP API listening on %s (store %s, reminders every "
        "%lld ms)\n",
        n.url().c_str(), db.c_str(), static_cast<long long>(n.env().config.interval.count()));
    if (admin_token.empty()) {
      std::printf("notifier: admin token (POST /users): %s\n", n.admin_token().c_str());
    }
    if (demo_user) {
      std::printf("notifier: demo user \"%s\", token %s, %zu open tasks; try:\n",
                  demo_user->name.c_str(), demo_user->token.c_str(), demo_user->tasks);
      std::printf("  curl -s -H 'Authorization: Bearer %s' %s/tasks\n", demo_user->token.c_str(),
                  n.url().c_str());
      std::printf(
          "  curl -s -H 'Authorization: Bearer %s' "
          "%s/tasks/%lld/notifications\n",
          demo_user->token.c_str(), n.url().c_str(),
          static_cast<long long>(demo_user->first_task.value));
    }
    std::fflush(stdout);
    if (!ready_file.empty()) {
      std::ofstream(ready_file) << n.url() << "\n";
    }

    int signal = 0;
    sigwait(&stop_signals, &signal);
    spdlog::info("notifier: stopping ({})",
                 tree_failed ? "the supervision tree ended" : strsignal(signal));
    n.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "notifier: %s\n", e.what());
    return 1;
  }
  return tree_failed ? 1 : 0;
}
