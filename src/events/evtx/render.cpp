// events/evtx/render.cpp — record tree → XML text (Windows event XML layout,
// two-space indentation) and → one JSON object in the evtx_dump layout:
//   element with text only      → "Name": value
//   element with nothing        → "Name": null
//   attributes                  → "#attributes": {...}, text then in "#text"
//   child elements              → nested object; repeated names → array
//   <Data Name="X">v</Data>     → "X": v
// Integer-typed substitution values are JSON numbers, booleans are JSON
// booleans, NULL values are null, everything else is a string.
#include <cstring>
#include <vector>

#include "events/evtx/record_view.h"
#include "events/evtx/text.h"

namespace sigil::evtx_detail {

namespace {

bool is_piece(const Node* c) {
    return c->kind == NodeKind::Text || c->kind == NodeKind::CData || c->kind == NodeKind::Array;
}

// ----------------------------------------------------------------- XML
void xml_piece(std::string& out, const Node* c, bool attribute) {
    if (c->kind == NodeKind::Text) {
        append_xml_escaped(out, c->text, attribute);
    } else if (c->kind == NodeKind::CData) {
        if (attribute) {
            append_xml_escaped(out, c->text, true);
        } else {
            out += "<![CDATA[";
            out += c->text;
            out += "]]>";
        }
    } else if (c->kind == NodeKind::Array) {
        for (const Node* it = c->first; it; it = it->next) {
            if (it != c->first) out += attribute ? " " : ", ";
            append_xml_escaped(out, it->text, attribute);
        }
    }
}

void xml_pieces(std::string& out, const Node* first, bool attribute) {
    for (const Node* c = first; c; c = c->next) xml_piece(out, c, attribute);
}

void xml_start(std::string& out, const Node* e, int indent) {
    out.append(static_cast<size_t>(indent), ' ');
    out += '<';
    out += e->name;
    for (const Attr* a = e->attrs; a; a = a->next) {
        if (!a->first) continue;  // optional substitution without a value
        out += ' ';
        out += a->name;
        out += "=\"";
        xml_pieces(out, a->first, true);
        out += '"';
    }
}

void xml_element(std::string& out, const Node* e, int indent, int depth) {
    bool elements = false, pieces = false;
    const Node* only_array = nullptr;
    int npieces = 0;
    for (const Node* c = e->first; c; c = c->next) {
        if (c->kind == NodeKind::Element || c->kind == NodeKind::PI) elements = true;
        if (is_piece(c)) {
            pieces = true;
            ++npieces;
            if (c->kind == NodeKind::Array) only_array = c;
        }
    }
    if (!elements && npieces == 1 && only_array && only_array->first) {
        // An array substitution repeats its element once per item (as Windows renders it).
        for (const Node* it = only_array->first; it; it = it->next) {
            xml_start(out, e, indent);
            out += '>';
            append_xml_escaped(out, it->text, false);
            out += "</";
            out += e->name;
            out += ">\n";
        }
        return;
    }
    xml_start(out, e, indent);
    if (!elements && !pieces) {
        out += "/>\n";
        return;
    }
    if (!elements) {
        out += '>';
        xml_pieces(out, e->first, false);
        out += "</";
        out += e->name;
        out += ">\n";
        return;
    }
    out += ">\n";
    for (const Node* c = e->first; c; c = c->next) {
        if (c->kind == NodeKind::Element) {
            if (depth < 256) xml_element(out, c, indent + 2, depth + 1);
        } else if (c->kind == NodeKind::PI) {
            out.append(static_cast<size_t>(indent + 2), ' ');
            out += "<?";
            out += c->name;
            if (!c->text.empty()) {
                out += ' ';
                out += c->text;
            }
            out += "?>\n";
        } else {
            out.append(static_cast<size_t>(indent + 2), ' ');
            xml_piece(out, c, false);
            out += '\n';
        }
    }
    out.append(static_cast<size_t>(indent), ' ');
    out += "</";
    out += e->name;
    out += ">\n";
}

// ----------------------------------------------------------------- JSON
bool is_int_type(uint8_t t) {
    return t >= kInt8 && t <= kUInt64;
}

void json_scalar_piece(std::string& out, const Node* c) {
    if (c->is_null) {
        out += "null";
    } else if (is_int_type(c->vtype) && !c->text.empty()) {
        out += c->text;
    } else if (c->vtype == kBool) {
        out += c->text;
    } else {
        append_json_string(out, c->text);
    }
}

// The value pieces starting at `first` as one JSON value.
void json_pieces(std::string& out, const Node* first) {
    const Node* single = nullptr;
    int n = 0;
    for (const Node* c = first; c; c = c->next)
        if (is_piece(c)) {
            single = c;
            ++n;
        }
    if (n == 0) {
        out += "null";
        return;
    }
    if (n == 1 && single->kind == NodeKind::Array) {
        out += '[';
        bool comma = false;
        for (const Node* it = single->first; it; it = it->next) {
            if (comma) out += ',';
            comma = true;
            json_scalar_piece(out, it);
        }
        out += ']';
        return;
    }
    if (n == 1) {
        json_scalar_piece(out, single);
        return;
    }
    std::string s;
    for (const Node* c = first; c; c = c->next) {
        if (c->kind == NodeKind::Text || c->kind == NodeKind::CData) {
            s += c->text;
        } else if (c->kind == NodeKind::Array) {
            for (const Node* it = c->first; it; it = it->next) {
                if (it != c->first) s += ", ";
                s += it->text;
            }
        }
    }
    append_json_string(out, s);
}

std::string_view data_name(const Node* e) {
    if (e->name != "Data") return e->name;
    for (const Attr* a = e->attrs; a; a = a->next)
        if (a->name == "Name" && a->first && a->first->kind == NodeKind::Text && !a->first->next)
            return a->first->text;
    return e->name;
}

void json_element_value(std::string& out, const Node* e, int depth);

void json_children(std::string& out, const Node* e, int depth, bool& comma) {
    std::vector<const Node*> kids;
    for (const Node* c = e->first; c; c = c->next)
        if (c->kind == NodeKind::Element) kids.push_back(c);
    std::vector<bool> done(kids.size(), false);
    for (size_t i = 0; i < kids.size(); ++i) {
        if (done[i]) continue;
        std::string_view key = data_name(kids[i]);
        size_t same = 0;
        for (size_t j = i; j < kids.size(); ++j)
            if (!done[j] && data_name(kids[j]) == key) ++same;
        if (comma) out += ',';
        comma = true;
        append_json_string(out, key);
        out += ':';
        if (same > 1) out += '[';
        bool c2 = false;
        for (size_t j = i; j < kids.size(); ++j) {
            if (done[j] || data_name(kids[j]) != key) continue;
            done[j] = true;
            if (c2) out += ',';
            c2 = true;
            json_element_value(out, kids[j], depth + 1);
        }
        if (same > 1) out += ']';
    }
}

void json_element_value(std::string& out, const Node* e, int depth) {
    bool elements = false, pieces = false;
    for (const Node* c = e->first; c; c = c->next) {
        if (c->kind == NodeKind::Element) elements = true;
        if (is_piece(c)) pieces = true;
    }
    bool named_data = data_name(e) != e->name;
    bool attrs = false;
    for (const Attr* a = e->attrs; a; a = a->next)
        if (a->first && !(named_data && a->name == "Name")) attrs = true;
    if (!attrs && !elements) {
        json_pieces(out, e->first);
        return;
    }
    if (depth > 256) {
        out += "null";
        return;
    }
    out += '{';
    bool comma = false;
    if (attrs) {
        out += "\"#attributes\":{";
        bool c2 = false;
        for (const Attr* a = e->attrs; a; a = a->next) {
            if (!a->first || (named_data && a->name == "Name")) continue;
            if (c2) out += ',';
            c2 = true;
            append_json_string(out, a->name);
            out += ':';
            json_pieces(out, a->first);
        }
        out += '}';
        comma = true;
    }
    json_children(out, e, depth, comma);
    if (pieces) {
        if (comma) out += ',';
        out += "\"#text\":";
        json_pieces(out, e->first);
    }
    out += '}';
}

}  // namespace

void render_xml(const Node* doc, std::string& out) {
    for (const Node* c = doc->first; c; c = c->next)
        if (c->kind == NodeKind::Element) xml_element(out, c, 0, 0);
}

void render_json(const Node* doc, std::string& out) {
    out += '{';
    bool comma = false;
    json_children(out, doc, 0, comma);
    out += '}';
}

}  // namespace sigil::evtx_detail
