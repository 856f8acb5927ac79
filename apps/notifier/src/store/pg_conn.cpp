#include "store/pg_conn.hpp"

#include <charconv>
#include <cstring>
#include <string>

namespace notifier::detail {

store_errc pg_errc(const char* sqlstate) noexcept {
  if (sqlstate == nullptr || std::strlen(sqlstate) != 5) {
    return store_errc::unavailable;  // a client-side failure: the connection broke
  }
  const std::string_view s(sqlstate, 5);
  const std::string_view cls = s.substr(0, 2);
  if (s == "23503") {  // foreign_key_violation: a referenced row is missing
    return store_errc::not_found;
  }
  if (s == "23505") {  // unique_violation
    return store_errc::conflict;
  }
  if (cls == "23" || cls == "22") {  // other integrity constraints (CHECK, NOT NULL); bad data
    return store_errc::invalid;
  }
  if (cls == "08"                      // connection exception
      || cls == "53"                   // insufficient resources (disk full, too many connections)
      || cls == "57"                   // operator intervention (shutdown, cancel, recovery)
      || s == "40001" || s == "40P01"  // serialization failure, deadlock: retry the transaction
      || s == "55P03") {               // lock_not_available
    return store_errc::unavailable;
  }
  return store_errc::internal;
}

// -- arrays ------------------------------------------------------------------------------------

std::string pg_array(std::span<const std::int64_t> values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += std::to_string(values[i]);
  }
  out += '}';
  return out;
}

std::string pg_array(std::span<const std::string> values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += '"';
    for (const char c : values[i]) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

// -- rows --------------------------------------------------------------------------------------

std::int64_t pg_row::i64(int col) const {
  const char* text = PQgetvalue(result_, row_, col);
  const char* end = text + PQgetlength(result_, row_, col);
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end) {
    fail(store_errc::internal, std::string("not an integer: '") + text + "'");
  }
  return value;
}

std::optional<std::int64_t> pg_row::opt_i64(int col) const {
  if (PQgetisnull(result_, row_, col) != 0) {
    return std::nullopt;
  }
  return i64(col);
}

std::string pg_row::text(int col) const {
  return std::string(PQgetvalue(result_, row_, col),
                     static_cast<std::size_t>(PQgetlength(result_, row_, col)));
}

std::optional<std::string> pg_row::opt_text(int col) const {
  if (PQgetisnull(result_, row_, col) != 0) {
    return std::nullopt;
  }
  return text(col);
}

std::size_t pg_result::changed() const {
  const char* text = PQcmdTuples(result_.get());
  std::size_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

// -- connection --------------------------------------------------------------------------------

namespace {

std::string connection_error(PGconn* conn) {
  std::string message = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  return message;
}

}  // namespace

pg_conn::pg_conn(const std::string& url, std::chrono::seconds connect_timeout) {
  // Parse first, so that a malformed URL is told apart from a server that is down.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string message = parse_error != nullptr ? parse_error : "out of memory";
    PQfreemem(parse_error);
    fail(store_errc::invalid, "bad PostgreSQL URL: " + message);
  }
  PQconninfoFree(parsed);

  // Defaults first: with expand_dbname, the URL's own settings override the keywords before it.
  const std::string timeout = std::to_string(connect_timeout.count());
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "otter-notifier", url.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords, values, 1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string message = "cannot connect to PostgreSQL: " + connection_error(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    fail(store_errc::unavailable, std::move(message));
  }
  // Notices (e.g. "relation already exists, skipping") would go to stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

pg_conn::~pg_conn() {
  PQfinish(conn_);
}

void pg_conn::ensure_ready() {
  if (broken_ || PQstatus(conn_) != CONNECTION_OK) {
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      fail(store_errc::unavailable, "cannot reconnect to PostgreSQL: " + connection_error(conn_));
    }
    broken_ = false;
  }
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    PQclear(PQexec(conn_, "ROLLBACK"));
  }
}

pg_result pg_conn::check(PGresult* r, std::string_view sql) {
  const auto status = PQresultStatus(r);
  if (r != nullptr && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) {
    return pg_result(r);
  }
  const char* sqlstate = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  // A broken connection is unavailable whatever the server said last. The server ends the
  // session after a connection exception (08) or an administrator's shutdown or termination
  // (57P01..57P05), even if libpq has not seen the socket close yet: reconnect next time.
  const std::string_view state = sqlstate != nullptr ? sqlstate : "";
  if (PQstatus(conn_) != CONNECTION_OK || state.starts_with("08") || state.starts_with("57P")) {
    broken_ = true;
  }
  const store_errc code = broken_ ? store_errc::unavailable : pg_errc(sqlstate);
  std::string message = r != nullptr ? PQresultErrorMessage(r) : "";
  if (message.empty()) {
    message = connection_error(conn_);
  }
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  message += " (in: ";
  message += sql.substr(0, 120);
  message += ")";
  PQclear(r);
  fail(code, std::move(message));
}

pg_result pg_conn::exec(const std::string& sql, const pg_params& params) {
  const auto& values = params.values();
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) {
    pointers.push_back(v ? v->c_str() : nullptr);
  }
  return check(PQexecParams(conn_, sql.c_str(), static_cast<int>(pointers.size()), nullptr,
                            pointers.data(), nullptr, nullptr, 0),
               sql);
}

pg_result pg_conn::exec(const std::string& sql) {
  return check(PQexec(conn_, sql.c_str()), sql);
}

// -- transaction -------------------------------------------------------------------------------

pg_transaction::pg_transaction(pg_conn& conn, const std::function<void()>& before_commit)
    : conn_(conn), before_commit_(before_commit) {
  (void)conn_.exec("BEGIN");
}

pg_transaction::~pg_transaction() {
  if (open_) {
    try {
      (void)conn_.exec("ROLLBACK");
    } catch (const store_exception&) {
      // The connection is gone, and the server rolled back with it; ensure_ready() reconnects.
    }
  }
}

void pg_transaction::commit() {
  if (before_commit_) {
    before_commit_();
  }
  open_ = false;  // whatever COMMIT answers, the transaction is over
  (void)conn_.exec("COMMIT");
}

}  // namespace notifier::detail
