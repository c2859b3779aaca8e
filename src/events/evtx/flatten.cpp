// events/evtx/flatten.cpp — record tree → flat Event fields named the way
// Sigma and Hayabusa name them.
//
// Rules (docs/evtx.md):
//  - System: each child element's text becomes a field named after the element
//    (EventID, Level, Channel, Computer, ...); each attribute becomes
//    Element_Attribute (Provider_Name, TimeCreated_SystemTime,
//    Execution_ProcessID, Security_UserID, EventID_Qualifiers, ...).
//  - EventData: <Data Name="X">v</Data> → X; unnamed <Data> → Data; other
//    children by element name. Repeated names make multi-valued fields.
//  - UserData and any other section: leaf elements by element name (a <Data
//    Name="X"> leaf again gives X), leaf attributes as Element_Attribute.
//  - RenderingInfo: leaves prefixed RenderingInfo_ (they would clash with System).
//  - An array value gives one field per item; an element without content, or
//    whose content is a NULL value, gives an explicit null.
#include <cstring>

#include "events/evtx/record_view.h"

namespace sigil::evtx_detail {

namespace {

bool is_xmlns(std::string_view n) {
    return n == "xmlns" || n.substr(0, 6) == "xmlns:";
}

std::string_view concat(Arena& a, std::string_view x, std::string_view sep, std::string_view y) {
    char* p = static_cast<char*>(a.alloc(x.size() + sep.size() + y.size() + 1, 1));
    if (!x.empty()) std::memcpy(p, x.data(), x.size());
    if (!sep.empty()) std::memcpy(p + x.size(), sep.data(), sep.size());
    if (!y.empty()) std::memcpy(p + x.size() + sep.size(), y.data(), y.size());
    return {p, x.size() + sep.size() + y.size()};
}

// Calls emit(text, is_null) for each value in the value pieces starting at
// `first` (element children or attribute pieces; element children are skipped).
template <class F>
void each_value(const Node* first, Arena& a, F&& emit) {
    const Node* single = nullptr;
    size_t pieces = 0, total = 0;
    bool arrays = false, all_null = true;
    for (const Node* c = first; c; c = c->next) {
        if (c->kind == NodeKind::Text || c->kind == NodeKind::CData) {
            single = c;
            ++pieces;
            total += c->text.size();
            all_null &= c->is_null;
        } else if (c->kind == NodeKind::Array) {
            arrays = true;
        }
    }
    if (arrays) {
        for (const Node* c = first; c; c = c->next) {
            if (c->kind == NodeKind::Array) {
                for (const Node* it = c->first; it; it = it->next) emit(it->text, it->is_null);
            } else if (c->kind == NodeKind::Text || c->kind == NodeKind::CData) {
                emit(c->text, c->is_null);
            }
        }
        return;
    }
    if (pieces == 0) {
        emit(std::string_view{}, true);
    } else if (pieces == 1) {
        emit(single->text, single->is_null);
    } else {
        char* p = static_cast<char*>(a.alloc(total ? total : 1, 1));
        size_t n = 0;
        for (const Node* c = first; c; c = c->next)
            if ((c->kind == NodeKind::Text || c->kind == NodeKind::CData) && !c->text.empty()) {
                std::memcpy(p + n, c->text.data(), c->text.size());
                n += c->text.size();
            }
        emit(std::string_view{p, n}, all_null);
    }
}

bool has_content(const Node* e) {
    for (const Node* c = e->first; c; c = c->next)
        if (c->kind != NodeKind::Element && c->kind != NodeKind::PI) return true;
    return false;
}

bool has_real_attrs(const Node* e) {
    for (const Attr* a = e->attrs; a; a = a->next)
        if (a->first && !is_xmlns(a->name)) return true;
    return false;
}

const Node* attr_piece_first(const Node* e, std::string_view name) {
    for (const Attr* a = e->attrs; a; a = a->next)
        if (a->name == name) return a->first;
    return nullptr;
}

struct Flattener {
    Event& ev;
    Arena& a;
    int64_t time_ms = 0;
    bool have_time = false;

    void add(std::string_view name, std::string_view v, bool is_null) {
        ev.fields.push_back(EventField{name, v, is_null});
    }
    void add_values(std::string_view name, const Node* first) {
        each_value(first, a, [&](std::string_view v, bool null) { add(name, v, null); });
    }
    void add_attrs(const Node* e, std::string_view prefix) {
        for (const Attr* at = e->attrs; at; at = at->next) {
            if (!at->first || is_xmlns(at->name)) continue;  // omitted optional attribute
            add_values(concat(a, prefix, "_", at->name), at->first);
        }
    }

    void system(const Node* sys) {
        for (const Node* c = sys->first; c; c = c->next) {
            if (c->kind != NodeKind::Element) continue;
            if (has_content(c)) add_values(c->name, c->first);
            add_attrs(c, c->name);
            if (c->name == "TimeCreated") {
                const Node* t = attr_piece_first(c, "SystemTime");
                if (t && t->vtype == kFileTime && !t->next) {
                    time_ms = filetime_to_unix_ms(t->raw);
                    have_time = true;
                }
            }
        }
    }

    // EventData, UserData and other sections: leaves by name.
    void data(const Node* e, std::string_view prefix, int depth) {
        if (depth > 64) return;
        for (const Node* c = e->first; c; c = c->next) {
            if (c->kind != NodeKind::Element) continue;
            bool leaf = !c->has_element_children();
            if (!leaf) {
                data(c, prefix, depth + 1);
                continue;
            }
            std::string_view name = c->name;
            bool named_data = false;
            if (name == "Data") {
                if (const Node* n = attr_piece_first(c, "Name"); n && !n->is_null) {
                    // Attribute values are normally one literal piece.
                    each_value(n, a, [&](std::string_view v, bool) { name = v; });
                    named_data = true;
                }
            }
            if (!prefix.empty()) name = concat(a, prefix, "", name);
            // A leaf that only carries attributes (<EventAuxInfo ProcessName="x"/>)
            // contributes its attributes, not an empty value of its own.
            if (has_content(c) || named_data || !has_real_attrs(c)) add_values(name, c->first);
            if (!named_data) {
                for (const Attr* at = c->attrs; at; at = at->next) {
                    if (!at->first || is_xmlns(at->name)) continue;
                    add_values(concat(a, name, "_", at->name), at->first);
                }
            }
        }
        // Text directly inside a section (no Data children), e.g. classic events.
        if (depth == 0 && has_content(e) && !e->has_element_children())
            add_values(prefix.empty() ? std::string_view("Data") : concat(a, prefix, "", "Data"),
                       e->first);
    }
};

}  // namespace

void flatten_record(const Node* doc, Event& ev, Arena& arena, uint64_t written_filetime) {
    ev.fields.clear();
    Flattener f{ev, arena};
    for (const Node* root = doc->first; root; root = root->next) {
        if (root->kind != NodeKind::Element) continue;
        for (const Node* sec = root->first; sec; sec = sec->next) {
            if (sec->kind != NodeKind::Element) continue;
            if (sec->name == "System")
                f.system(sec);
            else if (sec->name == "RenderingInfo")
                f.data(sec, "RenderingInfo_", 0);
            else
                f.data(sec, "", 0);
        }
    }
    ev.time_unix_ms = f.have_time ? f.time_ms : filetime_to_unix_ms(written_filetime);
}

}  // namespace sigil::evtx_detail
