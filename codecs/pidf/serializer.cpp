#include "codecs/pidf/serializer.hpp"

#include <string_view>

#include "codecs/pidf/internal/text.hpp"
#include "codecs/pidf/namespaces.hpp"

namespace fedgate::pidf {

namespace {

// --- validate ------------------------------------------------------------------------------------

class checker {
 public:
  std::optional<error> err;

  void text(std::string_view s, std::string_view what) {
    if (err) return;
    if (const auto bad = internal::find_invalid_char(s)) {
      err = error{error_code::invalid_utf8, std::string(what) + ": byte " + std::to_string(*bad) +
                                                " is not UTF-8 or not an XML character"};
    }
  }

  // A field the parser trims: writing surrounding whitespace would not read back the same.
  void token(std::string_view s, std::string_view what) {
    text(s, what);
    if (!err && !internal::is_trimmed(s)) {
      err = error{error_code::invalid_value, std::string(what) + " has surrounding whitespace"};
    }
  }

  void required(std::string_view s, error_code code, std::string_view what) {
    token(s, what);
    if (!err && s.empty()) err = error{code, std::string(what) + " is empty"};
  }

  void timestamp(std::string_view s, std::string_view what) {
    token(s, what);
    if (!err && !s.empty() && !internal::is_date_time(s)) {
      err = error{error_code::invalid_value, std::string(what) + " is not an xs:dateTime"};
    }
  }

  void notes(const std::vector<note>& ns, std::string_view what) {
    for (const note& n : ns) {
      text(n.text, what);
      text(n.lang, what);
    }
  }

  void acts(const activities& a, std::string_view what) {
    if (!err && (a.values.bits() >> activity_count) != 0) {
      err = error{error_code::invalid_value, std::string(what) + ": activity out of range"};
    }
    notes(a.other, what);
  }

  void input(const std::optional<user_input>& u, std::string_view what) {
    if (!u) return;
    if (!err && u->state != input_state::active && u->state != input_state::idle) {
      err = error{error_code::invalid_value, std::string(what) + ": user-input state out of range"};
    }
    if (!err && u->idle_threshold && *u->idle_threshold == 0) {
      err = error{error_code::invalid_value, std::string(what) + ": idle-threshold is 0"};
    }
    timestamp(u->last_input, what);
  }
};

// --- write ---------------------------------------------------------------------------------------

// Character data: & and < must be escaped (XML 1.0 §2.4), > too so "]]>" cannot appear, and CR
// so that end-of-line normalisation (§2.11) does not turn it into LF on the way back.
void append_text(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
}

// Attribute values in double quotes: also " and the whitespace characters that attribute-value
// normalisation (XML 1.0 §3.3.3) would turn into spaces.
void append_attr(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  for (char c : value) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
  out += '"';
}

void append_text_element(std::string& out, std::string_view tag, std::string_view text) {
  out += '<';
  out += tag;
  out += '>';
  append_text(out, text);
  out += "</";
  out += tag;
  out += '>';
}

void append_note(std::string& out, std::string_view tag, const note& n) {
  out += '<';
  out += tag;
  if (!n.lang.empty()) append_attr(out, "xml:lang", n.lang);
  out += '>';
  append_text(out, n.text);
  out += "</";
  out += tag;
  out += '>';
}

void append_activities(std::string& out, const activities& a) {
  if (a.empty()) return;
  out += "<rpid:activities>";
  for (std::size_t i = 0; i < activity_count; ++i) {
    const auto act = static_cast<activity>(i);
    if (!a.values.contains(act)) continue;
    out += "<rpid:";
    out += to_string(act);
    out += "/>";
  }
  for (const note& o : a.other)
    append_note(out, "rpid:other", o);
  out += "</rpid:activities>";
}

void append_user_input(std::string& out, const std::optional<user_input>& u) {
  if (!u) return;
  out += "<rpid:user-input";
  if (u->idle_threshold) append_attr(out, "idle-threshold", std::to_string(*u->idle_threshold));
  if (!u->last_input.empty()) append_attr(out, "last-input", u->last_input);
  out += '>';
  out += to_string(u->state);
  out += "</rpid:user-input>";
}

bool uses_rpid(const document& d) {
  for (const tuple& t : d.tuples) {
    if (!t.activities.empty() || t.user_input) return true;
  }
  for (const person& p : d.persons) {
    if (!p.activities.empty() || p.user_input) return true;
  }
  for (const device& v : d.devices) {
    if (v.user_input) return true;
  }
  return false;
}

bool uses_data_model(const document& d) {
  if (!d.persons.empty() || !d.devices.empty()) return true;
  for (const tuple& t : d.tuples) {
    if (!t.device_id.empty()) return true;
  }
  return false;
}

// RFC 3863 §4.4 schema: status, extensions (##other), contact, note*, timestamp.
void append_tuple(std::string& out, const tuple& t) {
  out += "<tuple";
  append_attr(out, "id", t.id);
  out += "><status>";
  if (t.basic) append_text_element(out, "basic", to_string(*t.basic));
  append_activities(out, t.activities);
  out += "</status>";
  append_user_input(out, t.user_input);
  if (!t.device_id.empty()) append_text_element(out, "dm:deviceID", t.device_id);
  if (t.contact) {
    out += "<contact";
    if (t.contact->priority_milli) {
      append_attr(out, "priority", internal::format_priority(*t.contact->priority_milli));
    }
    out += '>';
    append_text(out, t.contact->uri);
    out += "</contact>";
  }
  for (const note& n : t.notes)
    append_note(out, "note", n);
  if (!t.timestamp.empty()) append_text_element(out, "timestamp", t.timestamp);
  out += "</tuple>";
}

// RFC 4479 §5 schema: person = extensions, note*, timestamp.
void append_person(std::string& out, const person& p) {
  out += "<dm:person";
  if (!p.id.empty()) append_attr(out, "id", p.id);
  out += '>';
  append_activities(out, p.activities);
  append_user_input(out, p.user_input);
  for (const note& n : p.notes)
    append_note(out, "dm:note", n);
  if (!p.timestamp.empty()) append_text_element(out, "dm:timestamp", p.timestamp);
  out += "</dm:person>";
}

// RFC 4479 §5 schema: device = extensions, deviceID, note*, timestamp.
void append_device(std::string& out, const device& d) {
  out += "<dm:device";
  if (!d.id.empty()) append_attr(out, "id", d.id);
  out += '>';
  append_user_input(out, d.user_input);
  if (!d.device_id.empty()) append_text_element(out, "dm:deviceID", d.device_id);
  for (const note& n : d.notes)
    append_note(out, "dm:note", n);
  if (!d.timestamp.empty()) append_text_element(out, "dm:timestamp", d.timestamp);
  out += "</dm:device>";
}

}  // namespace

std::optional<error> validate(const document& doc) {
  checker c;
  c.required(doc.entity, error_code::missing_entity, "presence entity");
  c.notes(doc.notes, "presence note");
  for (const tuple& t : doc.tuples) {
    c.required(t.id, error_code::missing_id, "tuple id");
    c.acts(t.activities, "tuple activities");
    c.input(t.user_input, "tuple user-input");
    c.token(t.device_id, "tuple deviceID");
    if (t.contact) {
      c.required(t.contact->uri, error_code::invalid_value, "tuple contact");
      if (!c.err && t.contact->priority_milli && *t.contact->priority_milli > 1000) {
        c.err = error{error_code::invalid_value, "tuple contact priority above 1"};
      }
    }
    c.notes(t.notes, "tuple note");
    c.timestamp(t.timestamp, "tuple timestamp");
  }
  for (const person& p : doc.persons) {
    c.token(p.id, "person id");
    c.acts(p.activities, "person activities");
    c.input(p.user_input, "person user-input");
    c.notes(p.notes, "person note");
    c.timestamp(p.timestamp, "person timestamp");
  }
  for (const device& d : doc.devices) {
    c.token(d.id, "device id");
    c.token(d.device_id, "device deviceID");
    c.input(d.user_input, "device user-input");
    c.notes(d.notes, "device note");
    c.timestamp(d.timestamp, "device timestamp");
  }
  return std::move(c.err);
}

result<std::string> serialize(const document& doc) {
  if (auto err = validate(doc)) return std::move(*err);
  std::string out;
  out.reserve(256 + 192 * (doc.tuples.size() + doc.persons.size() + doc.devices.size()));
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence";
  append_attr(out, "xmlns", ns::pidf);
  if (uses_data_model(doc)) append_attr(out, "xmlns:dm", ns::data_model);
  if (uses_rpid(doc)) append_attr(out, "xmlns:rpid", ns::rpid);
  append_attr(out, "entity", doc.entity);
  out += '>';
  for (const tuple& t : doc.tuples)
    append_tuple(out, t);
  for (const note& n : doc.notes)
    append_note(out, "note", n);
  for (const person& p : doc.persons)
    append_person(out, p);
  for (const device& d : doc.devices)
    append_device(out, d);
  out += "</presence>";
  return out;
}

}  // namespace fedgate::pidf
