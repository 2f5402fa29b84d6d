if -{}[1:]:
                try:
                   if 1 << 3 ** 14 or ((y)):
                                (   (r"""ane"""),1 if 'a b' else '' )
                                r-= [[pr_x] in (e
)[:]]
                finally:pae ( a if 0 else(lamb))