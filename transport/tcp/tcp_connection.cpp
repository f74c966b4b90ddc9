#include "transport/tcp/tcp_connection.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "transport/tcp/messages.hpp"

namespace fedgate::transport {
namespace {

// One read hands the owner at most this much; a stanza or SIP message larger than this arrives
// in several reads, which the framers handle.
constexpr std::size_t read_size = 64 * 1024;

}  // namespace

caf::behavior tcp_connection(caf::io::broker* self, caf::io::connection_handle hdl,
                             caf::actor owner, connection_info info) {
  self->configure_read(hdl, caf::io::receive_policy::at_most(read_size));
  self->monitor(owner);
  info.peer_address = self->remote_addr(hdl);
  info.peer_port = self->remote_port(hdl);
  self->send(owner, tcp_attach_atom::value, caf::actor_cast<caf::actor>(self), std::move(info));
  self->set_down_handler([=](const caf::down_msg&) {
    self->close(hdl);
    self->quit();
  });
  return {
      [=](const caf::io::new_data_msg& msg) {
        self->send(owner, tcp_data_atom::value, std::string(msg.buf.begin(), msg.buf.end()));
      },
      [=](const caf::io::connection_closed_msg&) {
        self->send(owner, tcp_closed_atom::value, std::string("connection closed by peer"));
        self->quit();
      },
      [=](tcp_write_atom, const std::string& bytes) {
        self->write(hdl, bytes.size(), bytes.data());
        self->flush(hdl);
      },
      [=](tcp_close_atom) {
        self->flush(hdl);
        self->close(hdl);
        self->quit();
      },
  };
}

caf::behavior tcp_connection_from_fd(caf::io::broker* self, int fd, caf::actor owner) {
  connection_info info;
  info.inbound = false;
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
    info.local_port =
        ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&local)->sin6_port
                                          : reinterpret_cast<sockaddr_in*>(&local)->sin_port);
  }
  return tcp_connection(self, self->add_scribe(fd), std::move(owner), std::move(info));
}

}  // namespace fedgate::transport
