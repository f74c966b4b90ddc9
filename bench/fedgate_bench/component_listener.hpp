#pragma once
// An XEP-0114 component listener (jabber:component:accept) for fedgate-bench's XMPP side, so that
// a gateway that only speaks the component protocol (Kamailio's xmpp module) can be measured
// against the same sink as fedgate's S2S streams (bench/compare).
//
// The component connects and opens a stream; the listener answers with a stream header carrying
// a fresh id, checks <handshake>hex(SHA-1(id + secret))</handshake> (case-insensitively, XEP-0114
// §3) and answers <handshake/>. After that every top-level element the component sends goes to
// the stanza callback, and send() writes raw stanzas to the most recently authenticated stream.
//
// Blocking sockets and one thread per connection: a gateway opens one component connection, and
// the bench needs no more than that. Framing uses the project's XMPP stream framer.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <pugixml.hpp>

namespace fedgate::bench {

class component_listener {
 public:
  // Called on a connection thread for each element received on an authenticated stream.
  using stanza_callback = std::function<void(const pugi::xml_node& element)>;

  struct counters {
    std::uint64_t accepted = 0;       // TCP connections
    std::uint64_t authenticated = 0;  // handshakes that matched
    std::uint64_t auth_failed = 0;    // handshakes that did not (stream closed with not-authorized)
    std::uint64_t closed = 0;         // connections gone (by either side)
    std::uint64_t stanzas = 0;        // elements received after the handshake
    bool connected = false;           // an authenticated stream is up now
    std::string last_close;           // why the last connection ended
  };

  component_listener(std::string secret, stanza_callback on_stanza);
  ~component_listener();
  component_listener(const component_listener&) = delete;
  component_listener& operator=(const component_listener&) = delete;

  // Binds host:port (port 0: any) and starts accepting. False with `error` if it cannot.
  bool start(const std::string& host, std::uint16_t port, std::string& error);
  std::uint16_t port() const { return port_; }
  // Closes the listener and every connection, joins the threads.
  void stop();

  // Writes `bytes` (whole stanzas) to the authenticated stream; false if there is none or the
  // write failed.
  bool send(std::string_view bytes);

  counters snapshot() const;

  struct connection;

 private:
  void accept_loop();
  void serve(std::shared_ptr<connection> c);

  std::string secret_;
  stanza_callback on_stanza_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  counters counters_;
  std::vector<std::shared_ptr<connection>> connections_;
  std::vector<std::thread> threads_;
  std::shared_ptr<connection> active_;  // the authenticated stream send() writes to
};

// Lowercase hex SHA-1 of `data` (the XEP-0114 handshake digest).
std::string sha1_hex(std::string_view data);

}  // namespace fedgate::bench
