\
# c
t
