\

t
