// engine/atom_scan.h — the literal prefilter of a rule group: which of a set
// of atoms (lowercase literals, at least 2 bytes) occur in a text.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::engine_detail {

/* Anchored hash filter. Every atom is given an anchor: one of its windows of
 * 4 bytes (2 or 3 for atoms that short). The scan reads the text's 4-byte
 * window at each position, hashes it (and, when the set has short atoms,
 * its 2- and 3-byte prefixes) into one bitmap; a set bit sends the position
 * to an exact table of anchors, whose atoms are then compared in place
 * (anchor offset subtracted, bounds checked, memcmp).
 *
 * Why not Hyperscan: compiling its literal databases for the SigmaHQ
 * Windows rules (~17,800 atoms in 57 groups) took ~0.8 s of CPU, several
 * times the cost of everything else in a typical hunt; this index builds in
 * a few milliseconds and scans at a comparable cost per byte, because the
 * scanned text (the values of a few fields) is short.
 *
 * Choosing the anchor matters: a window shared by many atoms (".exe",
 * "\\win") sends every occurrence in the text to a long list of
 * comparisons. Each atom takes the window that occurs least often in the
 * set's atoms, ties to the later window (atom starts are shared prefixes
 * more often than their ends are).
 *
 * The bitmap has at least 32 bits per anchor, so a window that is no anchor
 * passes it with probability below 1/32. Matches are exact: an atom is
 * reported only when its bytes are there, once per occurrence (callers
 * deduplicate).
 */
class AtomScanner {
  public:
    AtomScanner() = default;
    // atoms[i] is reported as i; atoms shorter than 2 bytes are ignored.
    explicit AtomScanner(const std::vector<std::string>& atoms);

    bool empty() const { return anchors_ == 0; }
    // Skipping mode (see the constructor) chosen.
    bool skipping() const { return window_ != 0; }

    template <class OnAtom>
    void scan(std::string_view text, OnAtom&& on_atom) const {
        if (anchors_ == 0) return;
        if (window_ != 0)
            scan_skipping(text, on_atom);
        else if (has_[2] || has_[3])
            scan_text<true>(text, on_atom);
        else
            scan_text<false>(text, on_atom);
    }

  private:
    struct Entry {
        uint32_t atom;    // id
        uint32_t offset;  // of the anchor in the atom
    };
    struct Slot {
        uint64_t key = 0;               // anchor length << 32 | anchor bytes; 0 = empty
        uint32_t first = 0, count = 0;  // entries_[first, first + count)
    };

    static uint32_t hash(uint32_t x, unsigned len) {
        return (x + (len == 4 ? 0 : len)) * 0x9E3779B1u;
    }
    bool maybe(uint32_t x, unsigned len) const {
        uint32_t h = hash(x, len) >> shift_;
        return (bits_[h >> 6] >> (h & 63)) & 1;
    }

    // The hot loop: one 4-byte load, a multiply and a bit test per position
    // (plus, with short anchors, a table lookup on the first byte).
    template <bool Short, class OnAtom>
    void scan_text(std::string_view text, OnAtom& on_atom) const {
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        size_t n = text.size();
        const uint64_t* bits = bits_.data();
        unsigned shift = shift_;
        size_t i = 0;
        for (; i + 4 <= n; ++i) {
            uint32_t x;
            std::memcpy(&x, p + i, 4);
            uint32_t h = hash(x, 4) >> shift;
            if ((bits[h >> 6] >> (h & 63)) & 1) [[unlikely]]
                probe(x, 4, p, n, i, on_atom);
            if constexpr (Short)
                if (short_first_[p[i]]) [[unlikely]]
                    short_windows(x, 4, p, n, i, on_atom);
        }
        // The last (at most 3) positions, zero-padded.
        for (; i < n; ++i) {
            uint32_t x = 0;
            std::memcpy(&x, p + i, n - i);
            if (Short && short_first_[p[i]]) short_windows(x, n - i, p, n, i, on_atom);
        }
    }

    // Skipping mode (window_ = m >= 4): the 2-byte block ending at a window
    // end gives how far the next possible window end lies ahead; only at 0
    // is the window's first 4 bytes (every atom's anchor starts its window)
    // looked up. Each step waits for the previous one (load, hash, load),
    // so long texts are cut into 4 ranges of window ends walked by 4
    // independent cursors in one loop (the CPU overlaps them); a cursor
    // stops at its range's end, where the next range starts.
    template <class OnAtom>
    void scan_skipping(std::string_view text, OnAtom& on_atom) const {
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        size_t n = text.size(), m = window_;
        if (n < m) return;
        constexpr int K = 4;
        size_t pos[K], end[K];
        int k_used = n >= 256 ? K : 1;
        size_t span = (n - (m - 1)) / size_t(k_used);
        for (int k = 0; k < k_used; ++k) {
            pos[k] = m - 1 + size_t(k) * span;
            end[k] = k + 1 == k_used ? n : pos[k] + span;
        }
        if (k_used == K) {
            while (pos[0] < end[0] && pos[1] < end[1] && pos[2] < end[2] && pos[3] < end[3])
                for (int k = 0; k < K; ++k) skip_step(p, n, pos[k], on_atom);
        }
        for (int k = 0; k < k_used; ++k)
            while (pos[k] < end[k]) skip_step(p, n, pos[k], on_atom);
    }

    template <class OnAtom>
    void skip_step(const unsigned char* p, size_t n, size_t& pos, OnAtom& on_atom) const {
        uint16_t b;
        std::memcpy(&b, p + pos - 1, 2);
        unsigned s = skip_[(uint32_t(b) * 0x9E3779B1u) >> skip_shift_];
        if (s != 0) {
            pos += s;
            return;
        }
        size_t start = pos + 1 - window_;
        uint32_t x;
        std::memcpy(&x, p + start, 4);
        if (maybe(x, 4)) probe(x, 4, p, n, start, on_atom);
        ++pos;
    }

    template <class OnAtom>
    void short_windows(uint32_t x, size_t avail, const unsigned char* p, size_t n, size_t i,
                       OnAtom& on_atom) const {
        if (has_[3] && avail >= 3 && maybe(x & 0xFFFFFFu, 3))
            probe(x & 0xFFFFFFu, 3, p, n, i, on_atom);
        if (has_[2] && avail >= 2 && maybe(x & 0xFFFFu, 2)) probe(x & 0xFFFFu, 2, p, n, i, on_atom);
    }

    template <class OnAtom>
    void probe(uint32_t x, unsigned len, const unsigned char* p, size_t n, size_t i,
               OnAtom& on_atom) const {
        uint64_t key = uint64_t(len) << 32 | x;
        size_t mask = slots_.size() - 1;
        for (size_t s = hash(x, len) >> slot_shift_;; s = (s + 1) & mask) {
            const Slot& sl = slots_[s];
            if (sl.key == 0) return;
            if (sl.key != key) continue;
            for (uint32_t e = sl.first; e < sl.first + sl.count; ++e) {
                const Entry& en = entries_[e];
                if (en.offset > i) continue;
                size_t start = i - en.offset;
                uint32_t a = en.atom;
                size_t len_a = atom_off_[a + 1] - atom_off_[a];
                if (start + len_a <= n &&
                    std::memcmp(p + start, text_.data() + atom_off_[a], len_a) == 0)
                    on_atom(a);
            }
            return;
        }
    }

    std::string text_;                // atoms, concatenated
    std::vector<uint32_t> atom_off_;  // atom i is text_[atom_off_[i], atom_off_[i + 1])
    std::vector<uint64_t> bits_;
    unsigned shift_ = 32;         // bitmap index: the hash's top bits
    unsigned slot_shift_ = 32;    // exact table index: the hash's top bits
    bool has_[5] = {};            // anchor lengths present
    bool short_first_[256] = {};  // first bytes of 2- and 3-byte anchors
    std::vector<Slot> slots_;
    std::vector<Entry> entries_;
    size_t anchors_ = 0;
    unsigned window_ = 0;        // skipping mode: the window length m (0: every position)
    std::vector<uint8_t> skip_;  // hashed 2-byte block → shift
    unsigned skip_shift_ = 32;
};

}  // namespace sigil::engine_detail
