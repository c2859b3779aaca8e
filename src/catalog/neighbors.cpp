// catalog/neighbors.cpp — relations between the rules of a corpus, across languages:
// stricter and broader rules (same logic plus or minus filters), exact duplicates (same
// normal form) and near duplicates (mostly the same predicates).
#include <xxhash.h>

#include <algorithm>
#include <unordered_map>

#include "catalog/catalog_internal.h"
#include "sigil/catalog.h"

namespace sigil {

namespace {

Pred pseudo(const char* key, const std::string& value) {
    Pred p;
    p.field = std::string("logsource.") + key;
    p.op = Op::Eq;
    p.value = Value::string(value);
    return p;
}

/* Log source of a pipeline (SPL) rule, for comparison with Sigma rules: read off the stage
 * text. `datamodel=Endpoint.Processes` (and the other Endpoint/Network datamodels) give the
 * Sigma category; WinEventLog/XmlWinEventLog sources and the security_content macros
 * `wineventlog_security`, `wineventlog_system`, `sysmon` give product windows and the
 * service. Unknown sources give nothing, so the rule compares on its predicates alone. */
LogSource pipeline_logsource(const Rule& r) {
    LogSource ls;
    static const std::pair<const char*, const char*> datamodels[] = {
        {"Endpoint.Processes", "process_creation"}, {"Endpoint.Filesystem", "file_event"},
        {"Endpoint.Registry", "registry_event"},    {"Network_Traffic", "network_connection"},
        {"Network_Resolution", "dns_query"},
    };
    for (auto& [k, v] : r.custom)
        if (k == "datamodel_used")
            for (auto& [dm, cat] : datamodels)
                if (v.rfind(dm, 0) == 0) ls.category = cat;
    for (auto& s : r.stages) {
        const std::string& t = s.text;
        for (auto& [dm, cat] : datamodels)
            if (t.find(std::string("datamodel=") + dm) != std::string::npos ||
                t.find(std::string("datamodel:") + dm) != std::string::npos)
                ls.category = cat;
        if (t.find("wineventlog_security") != std::string::npos ||
            t.find("WinEventLog:Security") != std::string::npos) {
            ls.product = "windows";
            ls.service = "security";
        } else if (t.find("wineventlog_system") != std::string::npos ||
                   t.find("WinEventLog:System") != std::string::npos) {
            ls.product = "windows";
            ls.service = "system";
        } else if (t.find("`sysmon`") != std::string::npos ||
                   t.find("Microsoft-Windows-Sysmon") != std::string::npos) {
            ls.product = "windows";
        }
    }
    return ls;
}

uint64_t mix(uint64_t h, uint64_t v) {
    return XXH3_64bits_withSeed(&v, sizeof v, h);
}

// Structural hash over canonical predicates (field aliases applied, case folded), so the
// same logic written in Sigma and SPL field names hashes the same. And/Or children are
// combined order-independently (sorted).
uint64_t canonical_hash(const ExprPtr& e, CanonicalHashes& ch) {
    switch (e->kind) {
        case ExprKind::Pred:
            return ch(*e->pred);
        case ExprKind::True:
            return 0x7;
        case ExprKind::False:
            return 0xF;
        case ExprKind::Not:
            return mix(0x4E07, canonical_hash(e->kids[0], ch));
        case ExprKind::And:
        case ExprKind::Or: {
            std::vector<uint64_t> hs;
            for (auto& k : e->kids) hs.push_back(canonical_hash(k, ch));
            std::sort(hs.begin(), hs.end());
            hs.erase(std::unique(hs.begin(), hs.end()), hs.end());
            uint64_t h = e->kind == ExprKind::And ? 0xA9D : 0x0B;
            for (uint64_t x : hs) h = mix(h, x);
            return h;
        }
    }
    return 0;
}

void pred_hashes(const ExprPtr& e, bool neg, std::vector<uint64_t>& out, CanonicalHashes& ch) {
    if (e->kind == ExprKind::Pred) {
        uint64_t h = ch(*e->pred);
        out.push_back(neg ? mix(h, 0x4E07) : h);
        return;
    }
    bool n = e->kind == ExprKind::Not ? !neg : neg;
    for (auto& k : e->kids) pred_hashes(k, n, out, ch);
}

bool subset(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
    return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

bool implies(const Conjunct& b, const Conjunct& a) {
    return b.hash == a.hash || subset(b.disjuncts, a.disjuncts);
}

// Every conjunct of `a` is implied by some conjunct of `b`: b's matches ⊆ a's.
bool narrower(const RuleShape& b, const RuleShape& a) {
    for (auto& ca : a.conj) {
        bool ok = false;
        for (auto& cb : b.conj)
            if (implies(cb, ca)) {
                ok = true;
                break;
            }
        if (!ok) return false;
    }
    return true;
}

}  // namespace

const char* neighbor_kind_name(NeighborKind k) {
    switch (k) {
        case NeighborKind::Stricter:
            return "stricter";
        case NeighborKind::Broader:
            return "broader";
        case NeighborKind::Duplicate:
            return "duplicate";
        case NeighborKind::NearDuplicate:
            return "near_duplicate";
    }
    return "?";
}

std::vector<ExprPtr> conjuncts(const Rule& rule, const ExprPtr& logic) {
    std::vector<ExprPtr> out;
    LogSource ls = rule.stages.empty() ? rule.logsource : pipeline_logsource(rule);
    if (!ls.product.empty()) out.push_back(Expr::make_pred(pseudo("product", ls.product)));
    if (!ls.category.empty()) out.push_back(Expr::make_pred(pseudo("category", ls.category)));
    if (!ls.service.empty()) out.push_back(Expr::make_pred(pseudo("service", ls.service)));
    if (!logic) return out;
    if (logic->kind == ExprKind::And)
        out.insert(out.end(), logic->kids.begin(), logic->kids.end());
    else if (logic->kind != ExprKind::True)
        out.push_back(logic);
    return out;
}

/* Neighbors.
 *
 * Each rule becomes a set of conjuncts: its log source as pseudo-predicates plus the
 * top-level conjuncts of its normalized logic, hashed canonically (canonical_pred: the
 * field table maps Splunk CIM names onto Sigma names). Rule B is narrower than rule A when
 * every conjunct of A is implied by a conjunct of B — the same conjunct, or an Or whose
 * alternatives are a subset of A's Or. Then B matches a subset of A's events: B is a
 * stricter alternative to A ("adds N filters": B's conjuncts that A does not have), and A
 * a broader alternative to B ("drops N filters"). Both ways = exact duplicates.
 *
 * Candidates come from an inverted index: disjunct hash → rules having a conjunct with that
 * disjunct. A rule B narrower than A must have, for each conjunct a of A, a conjunct whose
 * disjuncts lie within a's, so B is in the postings of a's disjuncts; A's conjunct with the
 * shortest postings bounds the candidate set. Only candidates are checked, so the cost is
 * the sum of those shortest posting lengths, not n².
 *
 * Near duplicates: Jaccard similarity of the sets of canonical predicate hashes (with
 * polarity) at or above the threshold. Candidates share at least one predicate that at
 * most kRarePosting rules use (the inverted index counts shared rare predicates; the exact
 * Jaccard is then computed on the sorted sets).
 */
RuleShape rule_shape(const Rule& r, const ExprPtr& logic, CanonicalHashes& ch) {
    RuleShape s;
    if (!logic || r.kind != RuleKind::Detection) return s;
    if (logic->kind == ExprKind::False) return s;
    std::vector<ExprPtr> parts = conjuncts(r, logic);
    for (auto& e : parts) {
        Conjunct cj;
        cj.hash = canonical_hash(e, ch);
        if (e->kind == ExprKind::Or)
            for (auto& k : e->kids) cj.disjuncts.push_back(canonical_hash(k, ch));
        else
            cj.disjuncts.push_back(cj.hash);
        std::sort(cj.disjuncts.begin(), cj.disjuncts.end());
        cj.disjuncts.erase(std::unique(cj.disjuncts.begin(), cj.disjuncts.end()),
                           cj.disjuncts.end());
        s.conj_hashes.push_back(cj.hash);
        s.conj.push_back(std::move(cj));
    }
    std::sort(s.conj_hashes.begin(), s.conj_hashes.end());
    s.conj_hashes.erase(std::unique(s.conj_hashes.begin(), s.conj_hashes.end()),
                        s.conj_hashes.end());
    for (auto& e : parts) pred_hashes(e, false, s.preds, ch);
    std::sort(s.preds.begin(), s.preds.end());
    s.preds.erase(std::unique(s.preds.begin(), s.preds.end()), s.preds.end());
    s.usable = !s.conj.empty();
    return s;
}

namespace {

/* An inverted index (hash → rules) as one sorted array of (hash, rule) pairs and the
 * distinct hashes with their ranges: a sort instead of a node and a vector per hash. Each
 * posting list is in increasing rule order, as rules are added in that order. */
class Postings {
  public:
    void add(uint64_t h, uint32_t rule) { pairs_.push_back({h, rule}); }
    void finish() {
        std::sort(pairs_.begin(), pairs_.end());
        rules_.reserve(pairs_.size());
        for (size_t k = 0; k < pairs_.size(); ++k) {
            if (k == 0 || pairs_[k].first != pairs_[k - 1].first) {
                keys_.push_back(pairs_[k].first);
                starts_.push_back(uint32_t(k));
            }
            rules_.push_back(pairs_[k].second);
        }
        starts_.push_back(uint32_t(pairs_.size()));
        pairs_ = {};
    }
    // The rules of hash h (empty if none).
    std::pair<const uint32_t*, const uint32_t*> find(uint64_t h) const {
        auto it = std::lower_bound(keys_.begin(), keys_.end(), h);
        if (it == keys_.end() || *it != h) return {nullptr, nullptr};
        size_t k = size_t(it - keys_.begin());
        return {rules_.data() + starts_[k], rules_.data() + starts_[k + 1]};
    }

  private:
    std::vector<std::pair<uint64_t, uint32_t>> pairs_;
    std::vector<uint64_t> keys_;
    std::vector<uint32_t> starts_, rules_;
};

}  // namespace

void find_neighbors(Catalog& c, const AnalysisOptions& o, const std::vector<CorpusInputs>& in) {
    const size_t n = c.rules.size();
    auto shape = [&](size_t i) -> const RuleShape& { return in[i].shape; };
    for (size_t i = 0; i < n; ++i) {
        c.analyses[i].neighbors.clear();
        c.analyses[i].neighbor_totals = {};
    }
    // Inverted index: disjunct hash → rules (each rule once per hash).
    Postings post;
    std::vector<uint64_t> hs;
    for (size_t i = 0; i < n; ++i) {
        if (!shape(i).usable) continue;
        hs.clear();
        for (auto& cj : shape(i).conj)
            hs.insert(hs.end(), cj.disjuncts.begin(), cj.disjuncts.end());
        std::sort(hs.begin(), hs.end());
        hs.erase(std::unique(hs.begin(), hs.end()), hs.end());
        for (uint64_t h : hs) post.add(h, uint32_t(i));
    }
    post.finish();

    std::vector<uint32_t> cand;
    std::vector<uint32_t> seen(n, UINT32_MAX);
    for (size_t i = 0; i < n; ++i) {
        const RuleShape& A = shape(i);
        if (!A.usable) continue;
        // The conjunct of A with the fewest candidates.
        size_t best = SIZE_MAX, best_cost = SIZE_MAX;
        for (size_t k = 0; k < A.conj.size(); ++k) {
            size_t cost = 0;
            for (uint64_t h : A.conj[k].disjuncts) {
                auto [b, e] = post.find(h);
                cost += size_t(e - b);
            }
            if (cost < best_cost) best_cost = cost, best = k;
        }
        cand.clear();
        for (uint64_t h : A.conj[best].disjuncts) {
            auto [b, e] = post.find(h);
            for (const uint32_t* jp = b; jp != e; ++jp)
                if (uint32_t j = *jp; j != i && seen[j] != i) {
                    seen[j] = uint32_t(i);
                    cand.push_back(j);
                }
        }
        for (uint32_t j : cand) {
            const RuleShape& B = shape(j);
            if (!narrower(B, A)) continue;
            if (narrower(A, B)) {
                // Equivalent: record once per pair, from the lower index.
                if (j > i) {
                    c.analyses[i].neighbors.push_back({j, NeighborKind::Duplicate, 0, 1.0});
                    c.analyses[j].neighbors.push_back(
                        {uint32_t(i), NeighborKind::Duplicate, 0, 1.0});
                }
                continue;
            }
            uint32_t added = 0;
            for (uint64_t h : B.conj_hashes)
                if (!std::binary_search(A.conj_hashes.begin(), A.conj_hashes.end(), h)) ++added;
            if (!added) added = 1;  // narrowed an Or without adding a conjunct
            c.analyses[i].neighbors.push_back({j, NeighborKind::Stricter, added, 1.0});
            c.analyses[j].neighbors.push_back({uint32_t(i), NeighborKind::Broader, added, 1.0});
        }
    }

    // Near duplicates.
    constexpr size_t kRarePosting = 300;
    Postings ppost;
    for (size_t i = 0; i < n; ++i)
        if (shape(i).usable)
            for (uint64_t h : shape(i).preds) ppost.add(h, uint32_t(i));
    ppost.finish();
    std::vector<uint32_t> shared(n, 0);
    for (size_t i = 0; i < n; ++i) {
        const RuleShape& A = shape(i);
        if (!A.usable || A.preds.empty()) continue;
        cand.clear();
        size_t common = 0;  // A's predicates whose postings are not rare (not counted below)
        for (uint64_t h : A.preds) {
            auto [b, e] = ppost.find(h);
            if (size_t(e - b) > kRarePosting) {
                ++common;
                continue;
            }
            for (const uint32_t* jp = b; jp != e; ++jp)
                if (uint32_t j = *jp; j > i) {
                    if (!shared[j]++) cand.push_back(j);
                }
        }
        for (uint32_t j : cand) {
            size_t rare_shared = shared[j];
            shared[j] = 0;
            const RuleShape& B = shape(j);
            /* A bound before the merge: A and B share at most `upper` predicates (no more
             * than either has, nor than the rare ones counted plus all of A's common ones),
             * and the similarity inter / (|A| + |B| - inter) grows with inter, so if it is
             * below the threshold at `upper` the pair is not near (the same test the merge
             * would make: division rounds monotonically). */
            size_t na = A.preds.size(), nb = B.preds.size();
            size_t upper = std::min({na, nb, rare_shared + common});
            if (double(upper) / double(na + nb - upper) < o.near_duplicate) continue;
            size_t inter = 0;
            auto x = A.preds.begin(), y = B.preds.begin();
            while (x != A.preds.end() && y != B.preds.end()) {
                if (*x < *y)
                    ++x;
                else if (*y < *x)
                    ++y;
                else
                    ++inter, ++x, ++y;
            }
            size_t uni = A.preds.size() + B.preds.size() - inter;
            double jac = uni ? double(inter) / double(uni) : 0;
            if (jac < o.near_duplicate || A.preds == B.preds) continue;
            bool related = false;
            for (auto& nb : c.analyses[i].neighbors)
                if (nb.rule == j && nb.kind == NeighborKind::Duplicate) related = true;
            if (related) continue;
            c.analyses[i].neighbors.push_back({j, NeighborKind::NearDuplicate, 0, jac});
            c.analyses[j].neighbors.push_back({uint32_t(i), NeighborKind::NearDuplicate, 0, jac});
        }
    }

    // Order and cap each kind.
    for (size_t i = 0; i < n; ++i) {
        auto& nb = c.analyses[i].neighbors;
        if (nb.empty()) continue;
        std::sort(nb.begin(), nb.end(), [&](const Neighbor& x, const Neighbor& y) {
            if (x.kind != y.kind) return x.kind < y.kind;
            if (x.kind == NeighborKind::NearDuplicate && x.similarity != y.similarity)
                return x.similarity > y.similarity;
            if (x.filters != y.filters) return x.filters < y.filters;
            return c.rules[x.rule].title < c.rules[y.rule].title;
        });
        std::vector<Neighbor> kept;
        for (auto& x : nb) {
            uint32_t& total = c.analyses[i].neighbor_totals[size_t(x.kind)];
            if (total++ < o.max_neighbors) kept.push_back(x);
        }
        nb = std::move(kept);
    }
}

}  // namespace sigil
