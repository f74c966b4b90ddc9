#include "transport/tcp/tcp_listener.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "transport/tcp/internal/socket_ops.hpp"
#include "transport/tcp/tcp_connection.hpp"

namespace fedgate::transport {
namespace {

caf::behavior listener(caf::io::broker* self, int fd, connection_factory factory) {
  std::uint16_t local_port = self->local_port(self->add_doorman(fd));
  return {
      [=](const caf::io::new_connection_msg& msg) {
        connection_info info{self->remote_addr(msg.handle), self->remote_port(msg.handle),
                             local_port, true};
        caf::actor owner = factory(info);
        if (!owner) {
          self->close(msg.handle);
          return;
        }
        self->fork(tcp_connection, msg.handle, std::move(owner), std::move(info));
      },
      [=](const caf::io::acceptor_closed_msg&) { self->quit(); },
  };
}

}  // namespace

tcp_listener listen_tcp(caf::actor_system& sys, const std::string& host, std::uint16_t port,
                        connection_factory factory) {
  tcp_listener result;
  int fd = internal::open_listening_socket(host, port, result.port, result.error);
  if (fd < 0) return result;
  result.broker = sys.middleman().spawn_broker(listener, fd, std::move(factory));
  return result;
}

}  // namespace fedgate::transport
