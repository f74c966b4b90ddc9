#include "app/internal/toml_reader.hpp"

namespace fedgate::app::internal {
namespace {

config_error at(const toml::source_region& where, std::string key, std::string message) {
  return config_error{std::move(key), where.begin.line, where.begin.column, std::move(message)};
}

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date/time";
    default:
      return "nothing";
  }
}

}  // namespace

toml_reader::toml_reader(const toml::table& table, std::string path,
                         std::vector<config_error>& errors)
    : table_(&table), path_(std::move(path)), errors_(&errors) {}

std::string toml_reader::key_path(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

const toml::node* toml_reader::lookup(std::string_view key) {
  known_.emplace(key);
  return table_->get(key);
}

void toml_reader::type_error(std::string_view key, const toml::node& node,
                             std::string_view expected) {
  errors_->push_back(
      at(node.source(), key_path(key),
         "expected " + std::string(expected) + ", got " + std::string(type_name(node))));
}

void toml_reader::error(std::string_view key, std::string message) {
  const toml::node* n = table_->get(key);
  errors_->push_back(at(n ? n->source() : table_->source(), key_path(key), std::move(message)));
}

bool toml_reader::read(std::string_view key, std::string& out) {
  const toml::node* n = lookup(key);
  if (!n) return false;
  if (auto s = n->value<std::string>(); s && n->is_string()) {
    out = *s;
    return true;
  }
  type_error(key, *n, "a string");
  return false;
}

bool toml_reader::read(std::string_view key, bool& out) {
  const toml::node* n = lookup(key);
  if (!n) return false;
  if (n->is_boolean()) {
    out = n->as_boolean()->get();
    return true;
  }
  type_error(key, *n, "a boolean (true or false)");
  return false;
}

bool toml_reader::read(std::string_view key, std::vector<std::string>& out) {
  const toml::node* n = lookup(key);
  if (!n) return false;
  const toml::array* arr = n->as_array();
  if (!arr) {
    type_error(key, *n, "an array of strings");
    return false;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& item = *arr->get(i);
    if (!item.is_string()) {
      errors_->push_back(at(item.source(), key_path(key) + "[" + std::to_string(i) + "]",
                            "expected a string, got " + std::string(type_name(item))));
      ok = false;
      continue;
    }
    values.push_back(item.as_string()->get());
  }
  if (ok) out = std::move(values);
  return ok;
}

bool toml_reader::read_integer(std::string_view key, std::int64_t& out, std::int64_t min,
                               std::int64_t max) {
  const toml::node* n = lookup(key);
  if (!n) return false;
  if (!n->is_integer()) {
    type_error(key, *n, "an integer");
    return false;
  }
  std::int64_t v = n->as_integer()->get();
  if (v < min || v > max) {
    errors_->push_back(at(n->source(), key_path(key),
                          "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                              ", got " + std::to_string(v)));
    return false;
  }
  out = v;
  return true;
}

std::optional<toml_reader> toml_reader::table(std::string_view key) {
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  if (const toml::table* t = n->as_table()) return toml_reader(*t, key_path(key), *errors_);
  type_error(key, *n, "a table");
  return std::nullopt;
}

std::vector<toml_reader> toml_reader::tables(std::string_view key) {
  std::vector<toml_reader> out;
  const toml::node* n = lookup(key);
  if (!n) return out;
  const toml::array* arr = n->as_array();
  if (!arr) {
    type_error(key, *n, "an array of tables ([[" + std::string(key) + "]])");
    return out;
  }
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& item = *arr->get(i);
    std::string item_path = key_path(key) + "[" + std::to_string(i) + "]";
    if (const toml::table* t = item.as_table()) {
      out.emplace_back(*t, std::move(item_path), *errors_);
    } else {
      errors_->push_back(
          at(item.source(), item_path, "expected a table, got " + std::string(type_name(item))));
    }
  }
  return out;
}

void toml_reader::finish() {
  for (auto&& [k, v] : *table_) {
    if (known_.count(k.str()) == 0) {
      errors_->push_back(at(k.source(), key_path(k.str()), "unknown key"));
    }
  }
}

}  // namespace fedgate::app::internal
