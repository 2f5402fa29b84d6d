# Runs first at power-up; kept as source.
print("booting")
