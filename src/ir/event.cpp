// ir/event.cpp — Event helpers shared by every event source.
#include "sigil/event.h"

namespace sigil {

nlohmann::json Event::to_json() const {
    nlohmann::json o = nlohmann::json::object();
    for (auto& f : fields) {
        std::string k(f.name);
        nlohmann::json v = f.is_null ? nlohmann::json(nullptr) : nlohmann::json(std::string(f.value));
        auto it = o.find(k);
        if (it == o.end()) {
            o[k] = std::move(v);
        } else {
            if (!it->is_array()) *it = nlohmann::json::array({*it});
            it->push_back(std::move(v));
        }
    }
    return o;
}

}  // namespace sigil
