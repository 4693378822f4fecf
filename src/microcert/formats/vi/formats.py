# Dates inside Vietnamese sentences: "ngày %(date)s" must not read "ngày Ngày 6 tháng 12…",
# so the date itself starts with the day number.
DATE_FORMAT = r"j \t\há\n\g n \nă\m Y"
SHORT_DATE_FORMAT = "d/m/Y"
