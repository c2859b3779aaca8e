// values_test.cpp — the shared value semantics (ir/values.h): addresses and
// networks as the loader (strict) and the matchers (lenient) read them.
#include "ir/values.h"

#include <gtest/gtest.h>

using namespace sigil;

namespace {

bool ip(const std::string& s, bool strict, int expect_bits = -1) {
    uint8_t b[16];
    int bits = 0;
    bool ok = values::parse_ip(s, b, bits, strict);
    if (ok && expect_bits >= 0) EXPECT_EQ(bits, expect_bits) << s;
    return ok;
}

}  // namespace

TEST(Values, Ipv4StrictAndLenient) {
    EXPECT_TRUE(ip("10.1.2.3", true, 32));
    EXPECT_TRUE(ip("10.1.2.3", false, 32));
    // sscanf's %u reads a leading blank or '+' in event values, rule values must be plain
    EXPECT_TRUE(ip(" 10.1.2.3", false));
    EXPECT_FALSE(ip(" 10.1.2.3", true));
    EXPECT_FALSE(ip("+10.1.2.3", true));
    EXPECT_FALSE(ip("0010.1.2.3", true));
    EXPECT_FALSE(ip("256.1.2.3", false));
    EXPECT_FALSE(ip("10.1.2", false));
    EXPECT_FALSE(ip("10.1.2.3x", false));
}

TEST(Values, Ipv6Forms) {
    EXPECT_TRUE(ip("::1", true, 128));
    EXPECT_TRUE(ip("fe80::", false, 128));
    EXPECT_TRUE(ip("2001:db8:0:0:0:0:0:1", true, 128));
    EXPECT_TRUE(ip("::ffff:10.1.2.3", true, 128));
    EXPECT_FALSE(ip("::1:", false));  // a single trailing ':' (accepted by the matchers before)
    EXPECT_FALSE(ip("1::2::3", false));
    EXPECT_FALSE(ip("1:2:3:4:5:6:7", false));
    EXPECT_FALSE(ip("12345::", false));
}

TEST(Values, NetworkContains) {
    values::Network n("10.0.0.0/8");
    ASSERT_TRUE(n.valid());
    EXPECT_TRUE(n.contains("10.200.1.1"));
    EXPECT_FALSE(n.contains("11.0.0.1"));
    EXPECT_FALSE(n.contains("::ffff:10.0.0.1"));  // other family
    values::Network v6("2001:db8::/32");
    EXPECT_TRUE(v6.contains("2001:db8:1::5"));
    EXPECT_FALSE(v6.contains("2001:db9::5"));
    EXPECT_FALSE(values::Network("not an address/8").valid());
}
