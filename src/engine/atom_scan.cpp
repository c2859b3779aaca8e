// engine/atom_scan.cpp — building the anchored hash filter of a rule group's
// atoms (the algorithm is described in atom_scan.h).
#include "engine/atom_scan.h"

#include <algorithm>
#include <bit>

namespace sigil::engine_detail {

static_assert(std::endian::native == std::endian::little,
              "anchor keys are the low bytes of a little-endian 32-bit load");

namespace {

uint32_t key_of(const char* s, unsigned len) {
    uint32_t x = 0;
    std::memcpy(&x, s, len);
    return x;
}

}  // namespace

AtomScanner::AtomScanner(const std::vector<std::string>& atoms) {
    atom_off_.reserve(atoms.size() + 1);
    atom_off_.push_back(0);
    size_t windows = 0;
    for (auto& a : atoms) {
        text_ += a;
        atom_off_.push_back(uint32_t(text_.size()));
        if (a.size() >= 4) windows += a.size() - 3;
    }
    // How many times each 4-byte window occurs in the atoms: a
    // linear-probing table (never full: more slots than windows).
    unsigned log2 = 4;
    while ((size_t(1) << log2) < windows + windows / 4 + 1) ++log2;
    std::vector<uint32_t> fkey(size_t(1) << log2), fcount(size_t(1) << log2, 0);
    auto freq_slot = [&](uint32_t k) {
        size_t m = fkey.size() - 1, s = (k * 0x9E3779B1u) >> (32 - log2);
        while (fcount[s] != 0 && fkey[s] != k) s = (s + 1) & m;
        return s;
    };
    for (auto& a : atoms) {
        for (size_t j = 0; j + 4 <= a.size(); ++j) {
            uint32_t k = key_of(a.data() + j, 4);
            size_t s = freq_slot(k);
            fkey[s] = k;
            ++fcount[s];
        }
    }
    /* Skipping mode (Wu-Manber). When every atom has at least m >= 4 bytes
     * (m capped at 8), each atom is represented by one window of m bytes
     * starting at its anchor, and the scan looks only at the text's 2-byte
     * block ending at the current window end: if no atom window has that
     * block ending k bytes before its end (k < m - 1), the end can move
     * k ahead at once (a hashed table keeps the smallest k over blocks
     * sharing a slot, which stays safe). The mode is chosen when the
     * expected shift, estimated over the blocks of the atoms themselves
     * (texts resemble them), is at least 2: few atoms, long atoms.
     */
    size_t min_len = SIZE_MAX;
    for (auto& a : atoms)
        if (a.size() >= 2) min_len = std::min(min_len, a.size());
    unsigned m = min_len >= 4 && min_len != SIZE_MAX ? unsigned(std::min<size_t>(min_len, 8)) : 0;
    // Each atom's anchor: its least frequent window (in skipping mode,
    // one that leaves m bytes of the atom from it).
    std::vector<std::pair<uint64_t, Entry>> anchored;
    anchored.reserve(atoms.size());
    for (uint32_t i = 0; i < atoms.size(); ++i) {
        const std::string& a = atoms[i];
        if (a.size() < 2) continue;
        unsigned len = unsigned(std::min<size_t>(a.size(), 4));
        size_t best = 0;
        if (len == 4) {
            uint32_t best_n = UINT32_MAX;
            size_t last = m ? a.size() - m : a.size() - 4;
            for (size_t j = 0; j <= last; ++j) {
                uint32_t n = fcount[freq_slot(key_of(a.data() + j, 4))];
                if (n <= best_n) best_n = n, best = j;
            }
        }
        anchored.emplace_back(uint64_t(len) << 32 | key_of(a.data() + best, len),
                              Entry{i, uint32_t(best)});
        has_[len] = true;
        if (len < 4) short_first_[static_cast<unsigned char>(a[0])] = true;
    }
    std::sort(anchored.begin(), anchored.end(), [](auto& x, auto& y) { return x.first < y.first; });
    for (size_t k = 0; k < anchored.size(); ++k)
        anchors_ += k == 0 || anchored[k].first != anchored[k - 1].first;
    if (anchors_ == 0) return;
    if (m) {
        unsigned blocks = 0, bits = 12;
        while ((size_t(1) << bits) < anchored.size() * (m - 1) * 8 && bits < 16) ++bits;
        std::vector<uint8_t> skip(size_t(1) << bits, uint8_t(m - 1));
        auto slot = [&](const char* s) {
            uint16_t b;
            std::memcpy(&b, s, 2);
            return (uint32_t(b) * 0x9E3779B1u) >> (32 - bits);
        };
        for (auto& [key, e] : anchored) {
            const char* w = text_.data() + atom_off_[e.atom] + e.offset;
            for (unsigned q = 1; q < m; ++q) {
                uint8_t& k = skip[slot(w + q - 1)];
                k = std::min<uint8_t>(k, uint8_t(m - 1 - q));
            }
        }
        // Expected shift over the atoms' own blocks.
        double total = 0;
        for (auto& [key, e] : anchored) {
            const char* a = text_.data() + atom_off_[e.atom];
            size_t len = atom_off_[e.atom + 1] - atom_off_[e.atom];
            for (size_t q = 1; q < len; ++q, ++blocks) total += skip[slot(a + q - 1)];
        }
        if (blocks && total / blocks >= 2) {
            window_ = m;
            skip_ = std::move(skip);
            skip_shift_ = 32 - bits;
        }
    }
    // Bitmap: a power of two with at least 32 bits per anchor.
    log2 = 12;
    while ((size_t(1) << log2) < anchors_ * 32) ++log2;
    shift_ = 32 - log2;
    bits_.assign((size_t(1) << log2) / 64, 0);
    // Exact table: open addressing, at most half full.
    unsigned cap_log2 = 4;
    while ((size_t(1) << cap_log2) < anchors_ * 2) ++cap_log2;
    size_t cap = size_t(1) << cap_log2;
    slot_shift_ = 32 - cap_log2;
    slots_.assign(cap, Slot{});
    entries_.reserve(anchored.size());
    for (size_t k = 0; k < anchored.size();) {
        uint64_t key = anchored[k].first;
        uint32_t first = uint32_t(entries_.size());
        for (; k < anchored.size() && anchored[k].first == key; ++k)
            entries_.push_back(anchored[k].second);
        uint32_t h = hash(uint32_t(key), unsigned(key >> 32));
        bits_[(h >> shift_) >> 6] |= uint64_t(1) << ((h >> shift_) & 63);
        size_t s = h >> slot_shift_;
        while (slots_[s].key != 0) s = (s + 1) & (cap - 1);
        slots_[s] = Slot{key, first, uint32_t(entries_.size()) - first};
    }
}

}  // namespace sigil::engine_detail
