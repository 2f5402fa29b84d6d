big = 123456789012345678901234567890
neg = -98765432109876543210
f = 3.25
z = 2j
t = (1, "two", b"three", None, ...)
s = "quote ' and \\ and \n"
