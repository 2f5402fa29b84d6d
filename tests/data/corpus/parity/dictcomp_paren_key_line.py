class C:
 if{(
...):(n)for x in e}:s