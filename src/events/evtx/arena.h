// events/evtx/arena.h — the bump allocator behind the EVTX reader: one per
// chunk (names, compiled templates) and one per record (tree, value text).
//
// Allocation bumps a pointer inside the current block; a request that does not
// fit opens the next block (kept from earlier use when possible). reset() makes
// every block reusable without freeing it, so steady-state parsing allocates
// nothing on the heap. Objects placed here must be trivially destructible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace sigil::evtx_detail {

class Arena {
  public:
    explicit Arena(size_t block_size = 64 * 1024) : block_size_(block_size) {}
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    void* alloc(size_t n, size_t align = alignof(std::max_align_t)) {
        uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + (align - 1)) & ~(uintptr_t)(align - 1);
        if (cur_ == nullptr || p + n > reinterpret_cast<uintptr_t>(end_)) return grow(n, align);
        cur_ = reinterpret_cast<char*>(p + n);
        return reinterpret_cast<void*>(p);
    }

    template <class T>
    T* make() {
        void* p = alloc(sizeof(T), alignof(T));
        return new (p) T();
    }

    template <class T>
    T* make_array(size_t n) {
        T* p = static_cast<T*>(alloc(sizeof(T) * (n ? n : 1), alignof(T)));
        for (size_t i = 0; i < n; ++i) new (p + i) T();
        return p;
    }

    std::string_view copy(std::string_view s) {
        if (s.empty()) return {};
        char* p = static_cast<char*>(alloc(s.size(), 1));
        std::memcpy(p, s.data(), s.size());
        return {p, s.size()};
    }

    // Reserve up to `max` bytes for a string written in place, then give back
    // what was not used with commit(). Nothing else may be allocated between.
    char* begin_string(size_t max) { return static_cast<char*>(alloc(max ? max : 1, 1)); }
    std::string_view commit(char* begin, size_t used) {
        cur_ = begin + used;  // the reservation was the last allocation
        return {begin, used};
    }

    void reset() {
        block_ = 0;
        if (blocks_.empty()) {
            cur_ = end_ = nullptr;
        } else {
            cur_ = blocks_[0].data.get();
            end_ = cur_ + blocks_[0].size;
        }
        // Oversized one-off blocks are dropped so one huge record does not pin memory.
        while (blocks_.size() > 4 && blocks_.back().size > block_size_) blocks_.pop_back();
    }

    size_t bytes_reserved() const {
        size_t s = 0;
        for (auto& b : blocks_) s += b.size;
        return s;
    }

  private:
    struct Block {
        std::unique_ptr<char[]> data;
        size_t size;
    };

    void* grow(size_t n, size_t align) {
        // Try the following kept blocks first.
        while (block_ + 1 < blocks_.size()) {
            ++block_;
            Block& b = blocks_[block_];
            cur_ = b.data.get();
            end_ = cur_ + b.size;
            uintptr_t p =
                (reinterpret_cast<uintptr_t>(cur_) + (align - 1)) & ~(uintptr_t)(align - 1);
            if (p + n <= reinterpret_cast<uintptr_t>(end_)) {
                cur_ = reinterpret_cast<char*>(p + n);
                return reinterpret_cast<void*>(p);
            }
        }
        size_t size = n + align > block_size_ ? n + align : block_size_;
        blocks_.push_back({std::unique_ptr<char[]>(new char[size]), size});
        block_ = blocks_.size() - 1;
        cur_ = blocks_.back().data.get();
        end_ = cur_ + size;
        uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + (align - 1)) & ~(uintptr_t)(align - 1);
        cur_ = reinterpret_cast<char*>(p + n);
        return reinterpret_cast<void*>(p);
    }

    size_t block_size_;
    std::vector<Block> blocks_;
    size_t block_ = 0;
    char* cur_ = nullptr;
    char* end_ = nullptr;
};

}  // namespace sigil::evtx_detail
