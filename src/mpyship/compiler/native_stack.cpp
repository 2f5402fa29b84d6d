#include "mpyship/compiler/native_stack.h"


namespace mpyship::compiler {

void NativeStack::push_slots(std::size_t n, std::uint8_t vtype) {
    for (std::size_t i = 0; i < n; ++i)
        push(in_slot({Kind::slot, 0, 0, RtFun::const_none, vtype}));
}

void NativeStack::drop(std::size_t n) {
    if (n > m_entries.size())
        throw Underflow{};
    m_entries.resize(m_entries.size() - n);
}

void NativeStack::adjust(int delta) {
    if (delta >= 0)
        push_slots(std::size_t(delta));
    else
        drop(std::size_t(-delta));
}

void NativeStack::materialize(const Entry& e, std::size_t index, NativeReg r) {
    switch (e.kind) {
    case Kind::slot:
        m_target.load_state(r, std::uint32_t(index));
        break;
    case Kind::reg:
        if (e.reg != r)
            m_target.mov_reg_reg(r, e.reg);
        break;
    case Kind::imm:
        m_target.mov_reg_imm(r, e.imm);
        break;
    case Kind::fun_entry:
        m_target.mov_reg_fun_entry(r, e.entry);
        break;
    }
}

// One value at a time, as the reference pops: a register is first freed of every other value in it,
// including values further down among those being popped (they go to their slots and are read back).
void NativeStack::pop_into(std::initializer_list<NativeReg> regs) {
    if (regs.size() > m_entries.size())
        throw Underflow{};
    for (NativeReg r : regs) {
        free_reg(r, 1);
        materialize(m_entries.back(), m_entries.size() - 1, r);
        drop(1);
    }
}

NativeReg NativeStack::pop_flexible(NativeReg fallback) {
    if (!m_entries.empty() && m_entries.back().kind == Kind::reg) {
        const NativeReg r = m_entries.back().reg;
        drop(1);
        return r;
    }
    pop_into({fallback});
    return fallback;
}

void NativeStack::store_comp(const StoreComp& c) {
    const NativeReg* a = m_target.abi().arg;
    if (c.kind == 1)
        pop_into({a[1], a[2]});
    else
        pop_into({a[1]});
    copy_into(c.depth - c.n_items(), a[0]); // the depth counts the popped values
    spill_regs();
    m_target.call(c.kind == 0 ? RtFun::list_append : c.kind == 1 ? RtFun::store_map : RtFun::set_store);
}

void NativeStack::copy_into(std::size_t depth, NativeReg r) {
    if (depth >= m_entries.size())
        throw Underflow{};
    const std::size_t index = m_entries.size() - 1 - depth;
    materialize(m_entries[index], index, r);
}

void NativeStack::peek_into(NativeReg r) {
    if (m_entries.empty())
        throw Underflow{};
    free_reg(r, 1);
    materialize(m_entries.back(), m_entries.size() - 1, r);
}

void NativeStack::free_reg(NativeReg r, std::size_t skip) {
    for (std::size_t i = 0; i + skip < m_entries.size(); ++i) {
        if (m_entries[i].kind == Kind::reg && m_entries[i].reg == r) {
            m_target.store_state(std::uint32_t(i), r);
            m_entries[i] = in_slot(m_entries[i]);
        }
    }
}

void NativeStack::spill_regs() {
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].kind == Kind::reg) {
            m_target.store_state(std::uint32_t(i), m_entries[i].reg);
            m_entries[i] = in_slot(m_entries[i]);
        }
    }
}

void NativeStack::write_to_slot(std::size_t index, NativeReg via) {
    if (m_entries[index].kind == Kind::slot)
        return;
    materialize(m_entries[index], index, via);
    m_target.store_state(std::uint32_t(index), via);
    m_entries[index] = in_slot(m_entries[index]);
}

void NativeStack::settle() {
    spill_regs();
    for (std::size_t i = 0; i < m_entries.size(); ++i)
        write_to_slot(i, m_target.abi().settle_temp);
}

void NativeStack::all_in_slots() {
    for (Entry& e : m_entries)
        e = in_slot(e);
}

// The reference writes registers first (whole stack, bottom up), then the popped immediates top down
// through `dest`, which the pointer then overwrites.
void NativeStack::pointer_for_pop(NativeReg dest, std::size_t n) {
    if (n > m_entries.size())
        throw Underflow{};
    spill_regs();
    for (std::size_t k = 0; k < n; ++k)
        write_to_slot(m_entries.size() - 1 - k, dest);
    m_target.lea_state(dest, std::uint32_t(m_entries.size() - n));
    drop(n);
}

} // namespace mpyship::compiler
