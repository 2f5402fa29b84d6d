for m in r:{0:[][:],(2 if .0 else v):[],():[o(
i:=m)>r]}
