#include "mpyship/compiler/constant_value.h"

#include "mpyship/compiler/const_fold.h"
#include "mpyship/compiler/float_repr.h"

namespace mpyship::compiler {

namespace {

mpy::Constant simple(mpy::ObjKind kind, std::string data = {}) {
    return mpy::Constant{kind, std::move(data), {}};
}

struct ToConstant {
    mpy::Constant operator()(const NoneValue&) const { return simple(mpy::ObjKind::none); }
    mpy::Constant operator()(bool b) const { return simple(b ? mpy::ObjKind::true_ : mpy::ObjKind::false_); }
    mpy::Constant operator()(const EllipsisValue&) const { return simple(mpy::ObjKind::ellipsis); }
    mpy::Constant operator()(const BigInt& i) const { return simple(mpy::ObjKind::int_, i.to_string()); }
    mpy::Constant operator()(double d) const {
        mpy::Constant c = simple(mpy::ObjKind::float_, float_repr(d));
        c.shared_object = is_shared_math_nan(d);
        return c;
    }
    mpy::Constant operator()(const ImagValue& c) const {
        return simple(mpy::ObjKind::complex, imag_repr(c.imag));
    }
    mpy::Constant operator()(const StrValue& s) const { return str_constant(s.bytes); }
    mpy::Constant operator()(const BytesValue& b) const { return bytes_constant(b.bytes); }
    mpy::Constant operator()(const ConstTuple& t) const {
        mpy::Constant c = simple(mpy::ObjKind::tuple);
        for (const ConstValue& item : t)
            c.items.push_back(to_mpy_constant(item));
        return c;
    }
};

} // namespace

mpy::Constant to_mpy_constant(const ConstValue& value) {
    return std::visit(ToConstant{}, value.value);
}

} // namespace mpyship::compiler
