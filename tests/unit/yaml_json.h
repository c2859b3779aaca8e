// tests/unit/yaml_json.h — a parsed YAML node as JSON, for tests that read
// events written in YAML (the conformance fixtures' match/nomatch lists).
#pragma once

#include <nlohmann/json.hpp>

#include "sigil/yaml.h"

namespace sigil::test {

inline nlohmann::json yaml_to_json(const YamlNode& n) {
    switch (n.kind) {
        case YamlNode::Kind::Map: {
            nlohmann::json o = nlohmann::json::object();
            for (auto& [k, v] : n.entries) o[k.text] = yaml_to_json(v);
            return o;
        }
        case YamlNode::Kind::Seq: {
            nlohmann::json a = nlohmann::json::array();
            for (auto& i : n.items) a.push_back(yaml_to_json(i));
            return a;
        }
        case YamlNode::Kind::Scalar:
            switch (n.type) {
                case YamlNode::Type::Str:
                    return n.text;
                case YamlNode::Type::Int:
                    return n.i;
                case YamlNode::Type::Float:
                    return n.f;
                case YamlNode::Type::Bool:
                    return n.b;
                case YamlNode::Type::Null:
                    return nullptr;
            }
    }
    return nullptr;
}

}  // namespace sigil::test
