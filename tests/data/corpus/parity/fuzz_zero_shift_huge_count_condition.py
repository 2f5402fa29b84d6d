()
if 0<<2**67:
        try:[]={}
        except:s