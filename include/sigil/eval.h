// sigil/eval.h — the reference interpreter: evaluates an IR expression over one
// event given as a JSON object. Small, obviously correct and slow; it defines
// the semantics every other executor is tested against (docs/ir.md).
#pragma once

#include <nlohmann/json.hpp>

#include "sigil/ir.h"

namespace sigil {

// Field lookup: an exact key first, then a dotted path through nested objects.
// Arrays are multi-valued fields: a predicate holds if it holds for any element.
bool eval_pred(const Pred& p, const nlohmann::json& event);
bool evaluate(const ExprPtr& e, const nlohmann::json& event);

// True when any of the rule's conditions holds for the event.
bool rule_matches(const Rule& r, const nlohmann::json& event);

}  // namespace sigil
