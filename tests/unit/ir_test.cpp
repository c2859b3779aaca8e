// tests/unit/ir_test.cpp — normal form, hashing and printing of the IR.
#include <gtest/gtest.h>

#include "sigil/ir.h"

using namespace sigil;

static ExprPtr P(const char* f, Op op, const char* v) {
    Pred p;
    p.field = f;
    p.op = op;
    p.value = Value::string(v);
    return Expr::make_pred(p);
}

TEST(Normalize, FlattensSortsAndDedups) {
    auto a = P("Image", Op::EndsWith, "\\cmd.exe");
    auto b = P("CommandLine", Op::Contains, "whoami");
    auto c = P("User", Op::Eq, "SYSTEM");
    auto x = Expr::make_and({a, Expr::make_and({b, Expr::make_not(c)})});
    auto y = Expr::make_and({Expr::make_not(Expr::make_not(Expr::make_not(c))), b, a, a});
    EXPECT_FALSE(same_logic(x, y));
    EXPECT_TRUE(same_logic(normalize(x), normalize(y)));
}

TEST(Normalize, CaseInsensitiveValuesCompareEqual) {
    EXPECT_TRUE(same_logic(normalize(P("Image", Op::EndsWith, "\\CMD.EXE")),
                           normalize(P("Image", Op::EndsWith, "\\cmd.exe"))));
    EXPECT_FALSE(same_logic(P("image", Op::EndsWith, "x"), P("Image", Op::EndsWith, "x")));
}

TEST(Normalize, FoldsConstants) {
    auto a = P("a", Op::Eq, "1");
    EXPECT_EQ(normalize(Expr::make_and({a, Expr::make_true()}))->kind, ExprKind::Pred);
    EXPECT_EQ(normalize(Expr::make_and({a, Expr::make_false()}))->kind, ExprKind::False);
    EXPECT_EQ(normalize(Expr::make_or({a, Expr::make_true()}))->kind, ExprKind::True);
    EXPECT_EQ(normalize(Expr::make_not(Expr::make_true()))->kind, ExprKind::False);
}

TEST(Printer, Precedence) {
    auto a = P("a", Op::Eq, "1"), b = P("b", Op::Eq, "2"), c = P("c", Op::Eq, "3");
    EXPECT_EQ(to_string(Expr::make_and({Expr::make_or({a, b}), Expr::make_not(c)})),
              "(a = \"1\" or b = \"2\") and not c = \"3\"");
}
