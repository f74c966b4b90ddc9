#include "actors/presence/presence_config.hpp"

namespace fedgate::presence {

std::string_view to_string(authorisation a) {
  switch (a) {
    case authorisation::automatic:
      return "auto";
    case authorisation::forward:
      return "forward";
    case authorisation::refuse:
      return "refuse";
  }
  return "forward";
}

}  // namespace fedgate::presence
