// The native emitter's model of the Python value stack. An entry is where a value is right now: in its
// state slot, in a register, an immediate not yet written, or a None/False/True object to be loaded
// from the function table. Values are written to their slots only when something needs them there
// (a call that takes a pointer to the stack, a register another value needs, a label or a jump), which
// is how mpy-cross -march=x64 keeps them; the order of those writes is part of byte identity.
#pragma once

#include "mpyship/compiler/native_target.h"

#include <algorithm>
#include <vector>

namespace mpyship::compiler {

// STORE_COMP (a comprehension's append): its operand holds the collection's kind (0 list, 1 dict, 2 set)
// and its depth below the top, counting the items stored (a dict's key and value, else one value).
struct StoreComp {
    std::uint32_t kind;
    std::size_t depth;
    std::size_t n_items() const { return kind == 1 ? 2 : 1; }
};
inline StoreComp store_comp_of(std::int64_t operand) {
    return {std::uint32_t(operand & 3), std::size_t(operand >> 2)};
}

class NativeStack {
  public:
    // Thrown when an operation pops more values than the model holds (a construct whose stack effect the
    // emitter does not follow yet); the emitter reports it as not implemented.
    struct Underflow {};

    enum class Kind : std::uint8_t { slot, reg, imm, fun_entry };
    struct Entry {
        Kind kind = Kind::slot;
        NativeReg reg = 0;
        std::uint64_t imm = 0;
        RtFun entry = RtFun::const_none;
        std::uint8_t vtype = 0; // viper's type of the value (0: object); it stays with the value wherever it goes
    };

    explicit NativeStack(NativeTarget& target) : m_target(target) {}

    std::size_t size() const { return m_entries.size(); }
    std::size_t max_size() const { return m_max; } // the deepest the stack has been
    const Entry& peek(std::size_t depth = 0) const { return m_entries[m_entries.size() - 1 - depth]; }
    void push_reg(NativeReg r, std::uint8_t vtype = 0) { push({Kind::reg, r, 0, RtFun::const_none, vtype}); }
    void push_imm(std::uint64_t v, std::uint8_t vtype = 0) { push({Kind::imm, 0, v, RtFun::const_none, vtype}); }
    void push_fun_entry(RtFun e, std::uint8_t vtype = 0) { push({Kind::fun_entry, 0, 0, e, vtype}); }
    void push_slots(std::size_t n, std::uint8_t vtype = 0); // values the callee wrote to their slots
    void drop(std::size_t n);
    // The stack depth changes without code (a branch joins with a different depth): new entries are in
    // their slots.
    void adjust(int delta);

    // Pops the top entries into `regs` (the top into regs[0]), one at a time; each register is first
    // freed of the other values it holds.
    void pop_into(std::initializer_list<NativeReg> regs);
    // Pops the top entry into the register it is already in, or else into `fallback`; returns the register.
    NativeReg pop_flexible(NativeReg fallback);
    // Copies the entry `depth` below the top into `r` (it stays where it is).
    void copy_into(std::size_t depth, NativeReg r);
    // Copies the top entry into `r` without popping it.
    void peek_into(NativeReg r);
    // Writes every value held in `r` (except the top `skip` entries) to its slot.
    void free_reg(NativeReg r, std::size_t skip = 0);
    void spill_regs();   // every register value to its slot, bottom up
    void settle();       // every value to its slot (registers first, then immediates, bottom up)
    void all_in_slots(); // after a label: every value is in its slot
    // Makes the top n values contiguous in their slots, points `dest` at the lowest and pops them.
    void pointer_for_pop(NativeReg dest, std::size_t n);
    // STORE_COMP once its items are checked: they go to the runtime call's arguments (a dict's key on top,
    // then the value), the collection (which stays) to the first, then the store for its kind is called.
    void store_comp(const StoreComp& c);

  private:
    void push(const Entry& e) {
        m_entries.push_back(e);
        m_max = std::max(m_max, m_entries.size());
    }
    void materialize(const Entry& e, std::size_t index, NativeReg r);
    static Entry in_slot(const Entry& e) { return {Kind::slot, 0, 0, RtFun::const_none, e.vtype}; }
    void write_to_slot(std::size_t index, NativeReg via);

    NativeTarget& m_target;
    std::vector<Entry> m_entries;
    std::size_t m_max = 0;
};

} // namespace mpyship::compiler
