// sigil/validate.h — collection-wide rule validators (uniqueness, file names,
// ATT&CK tags). Per-document validators run while Sigma files load.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sigil/ir.h"

namespace sigil {

// Given the part of an `attack.` tag after the dot, returns "" when it names a
// known ATT&CK object, else a message saying what is wrong.
using AttackTagCheck = std::function<std::string(const std::string&)>;

void validate_collection(const std::vector<Rule>& rules, Diagnostics& out,
                         const AttackTagCheck& attack = {});

}  // namespace sigil
