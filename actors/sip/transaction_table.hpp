#pragma once
// The RFC 3261 §17 transaction state machines, client and server, INVITE and non-INVITE, as a
// plain C++ table: no actors, no sockets, no clock of its own. Everything it does to the outside
// world goes through two injected interfaces:
//   * timer_service: "call on_timer(ref) in d milliseconds" (the actor maps this to
//     delayed_send; the unit tests to a fake clock that they advance by hand, so every timer path
//     runs without sleeping);
//   * transaction_user: bytes to send, and the events for the transaction user (TU): responses
//     for client transactions, new requests and CANCELs for server transactions.
//
// Why a table and not an actor per transaction: transactions are short-lived and numerous (one
// per MESSAGE); an actor each would cost a spawn and ~1.4 KB per request. A sharded actor owns
// one table (transaction_shard.hpp) and the hash of the branch picks the shard, so a request,
// its retransmissions, its CANCEL and its responses always meet in the same table.
//
// What it deliberately does not do: dialog state (dialog.hpp, kept by the owner actors), routing
// and address resolution (the caller gives the next hop), Via insertion (the caller builds the
// request with its Via and branch), trust and domain policy (sip_core).
//
// Matching rules:
//   * client (§17.1.3): top Via branch of the response + CSeq method;
//   * server (§17.2.3): branch + sent-by + method, with ACK matching the INVITE; requests whose
//     branch lacks the magic cookie (RFC 2543 peers) are matched on Request-URI, From tag,
//     Call-ID, CSeq and top Via (§17.2.3, the 2543 rule, simplified to exact comparison).
//
// RFC 6026 note: a 2xx to an INVITE ends the INVITE server transaction at once, as RFC 3261
// §17.2.1 says; retransmitting 2xx and absorbing the ACK for it is the TU's (dialog's) job.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "actors/sip/peer.hpp"
#include "codecs/sip/message.hpp"

namespace fedgate::sip_layer {

/// RFC 3261 §17.1.1.1 / Table 4 base values; every other timer is derived from them.
struct timer_settings {
  std::chrono::milliseconds t1{500};   // RTT estimate
  std::chrono::milliseconds t2{4000};  // cap of the non-INVITE/INVITE-response retransmit interval
  std::chrono::milliseconds t4{5000};  // how long the network may hold a message
  std::chrono::milliseconds timer_d{32000};  // INVITE client, wait for response retransmissions
};

enum class timer_kind : std::uint8_t { a, b, d, e, f, g, h, i, j, k };
char timer_name(timer_kind k);  // 'A'...'K', for logs and tests

/// Identifies one armed timer. `txn` is the transaction's internal id (never reused), so a
/// timer that fires after its transaction ended, or after it was re-armed, is ignored.
struct timer_ref {
  std::uint64_t txn = 0;
  timer_kind kind = timer_kind::a;
  std::uint32_t generation = 0;
};

class timer_service {
 public:
  virtual ~timer_service() = default;
  virtual void start(timer_ref ref, std::chrono::milliseconds delay) = 0;
};

/// How the TU learns what happened. Server transactions are named by their `server_id`.
class transaction_user {
 public:
  virtual ~transaction_user() = default;
  /// Bytes to put on the wire. `client_token` is the client transaction's token (0 for server
  /// transactions), so an asynchronous transport error can be reported with transport_error().
  virtual void send(const peer& to, const std::string& bytes, std::uint64_t client_token) = 0;
  /// A response for the client transaction `token`: provisional ones (final == false, INVITE
  /// only reaches the TU with them), then exactly one final response; 408 (timer B/F) and 503
  /// (transport error) are made up here when nothing came back (§8.1.3.1, §17.1.4).
  virtual void on_response(std::uint64_t token, const sip::message& response, bool final) = 0;
  /// A new request: a server transaction `server_id` exists and waits for respond(). ACKs
  /// for 2xx (no transaction, §17) also arrive here, with server_id 0: the TU must not answer.
  virtual void on_request(std::uint64_t server_id, sip::message&& request, const peer& from) = 0;
  /// The INVITE server transaction `server_id` was cancelled; 487 has been sent already.
  virtual void on_cancelled(std::uint64_t server_id) = 0;
  /// A server transaction that the TU never answered timed out or the layer gave up on it.
  virtual void on_server_terminated(std::uint64_t server_id) { (void)server_id; }
};

/// Which end of a transaction an observer event concerns.
enum class txn_role : std::uint8_t { client, server };

/// Optional: what the table decided, told once per event where the table decides it (metrics).
/// `method` is the transaction's request method (CANCEL for a CANCEL's own transaction); it is
/// only valid during the call. Called synchronously, never re-entering the table.
///
/// Why an observer and not transaction_user: the TU does not see these events. send() does not
/// say whether bytes are a first send, a timer A/E retransmission or a response re-sent for an
/// absorbed retransmission; timer H, timers D/I/J/K and the end of a server transaction over TCP
/// reach the TU not at all. Putting them into transaction_user would make every TU (and every
/// test fake) deal with metrics; an observer keeps the table free of any metrics dependency
/// (actors/sip/transaction_metrics.hpp maps these calls onto Prometheus families).
class transaction_observer {
 public:
  virtual ~transaction_observer() = default;
  /// A transaction entered (+1) or left (-n) the table. Balanced: each one leaves exactly once,
  /// at the latest when the table is destroyed.
  virtual void active_changed(txn_role r, std::int64_t delta) = 0;
  /// Client: the first final response arrived (2xx to INVITE included), or the 503 made up for
  /// a transport error. Server: the final response was sent (the 408 made up by the no-answer
  /// guard and the 487 to a CANCELled INVITE included). Never for the 408 of timer B/F.
  virtual void completed(txn_role r, std::string_view method, int status_code) = 0;
  /// Client: timer A/E re-sent the request. Server: a retransmitted request (not an ACK) matched
  /// the transaction and was absorbed (its last response, if any, re-sent).
  virtual void retransmitted(txn_role r, std::string_view method) = 0;
  /// Client: timer B/F fired (the TU gets a 408). Server: timer H fired (no ACK).
  virtual void timed_out(txn_role r, std::string_view method) = 0;
};

class transaction_table {
 public:
  /// `observer` (optional) must outlive the table; it hears of every remaining transaction
  /// leaving when the table is destroyed.
  transaction_table(timer_settings timers, timer_service& clock, transaction_user& tu,
                    transaction_observer* observer = nullptr);
  ~transaction_table();
  transaction_table(const transaction_table&) = delete;
  transaction_table& operator=(const transaction_table&) = delete;

  // ---- client side (§17.1) ----

  /// Starts a client transaction for `request` (already carrying our Via with a unique
  /// magic-cookie branch) towards `next_hop`. `token` (non-zero, unique per table) names it in
  /// on_response(). Returns false if a transaction with that branch and method exists.
  bool send_request(std::uint64_t token, sip::message request, peer next_hop);

  /// Builds CANCEL for the INVITE client transaction `token` (§9.1) and runs it as a new
  /// non-INVITE client transaction `cancel_token`. Per §9.1 the CANCEL waits for a provisional
  /// response before it is sent. Returns false if there is nothing to cancel.
  bool cancel(std::uint64_t token, std::uint64_t cancel_token);

  /// The transport could not deliver the request of client transaction `token` (connection
  /// refused, TLS failure): the TU gets 503 and the transaction ends (§8.1.3.1).
  void transport_error(std::uint64_t token, const std::string& why);

  // ---- server side (§17.2) ----

  /// The response for server transaction `server_id` (§17.2.1, §17.2.2). Returns false if the
  /// transaction no longer exists or already sent its final response.
  bool respond(std::uint64_t server_id, const sip::message& response);

  // ---- input ----

  /// A message from the network, already parsed. Requests are matched to a server transaction
  /// (a retransmission re-sends the last response and is not re-processed) or start a new one;
  /// responses are matched to a client transaction (unmatched ones are dropped, §18.1.2).
  void receive(sip::message&& msg, const peer& from);

  /// A timer armed through timer_service fired.
  void on_timer(const timer_ref& ref);

  // ---- observation (tests, metrics) ----
  std::size_t client_count() const;
  std::size_t server_count() const;
  /// "calling", "trying", "proceeding", "completed", "confirmed", "terminated" (gone).
  std::string client_state(std::uint64_t token) const;
  std::string server_state(std::uint64_t server_id) const;

 private:
  struct client_txn;
  struct server_txn;
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The server transaction key of a request (§17.2.3), exposed for the shard hash and tests.
std::string server_key(const sip::message& request);
/// The client transaction key of a response (§17.1.3).
std::string client_key(const sip::message& response);

}  // namespace fedgate::sip_layer
