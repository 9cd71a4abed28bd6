"""Reference data the generator draws from: geography (countries, states, cities), currencies
and price points, the product taxonomy, trading hours, campaigns and coupons, carriers,
return behaviour and shelf sensors. Behavioural figures are rules of thumb from retail
practice; `docs/data_realism.md` measures what they produce."""

from __future__ import annotations

from mimesis.locales import Locale

# country -> currency, Mimesis locale (names and streets), share of customers, phone format
# (prefix and digit groups), yearly growth of demand, hemisphere (seasons), and its states:
# state -> (sales region, IANA time zone, tax rate on taxable goods).
COUNTRIES: dict[str, dict] = {
    "AU": {
        "currency": "AUD",
        "locale": Locale.EN_AU,
        "share": 0.72,
        "phone": ("+61 4", 2, 3, 3),
        "growth": 0.06,
        "south": True,
        "states": {
            "NSW": ("AU East", "Australia/Sydney", 0.10),
            "VIC": ("AU South", "Australia/Melbourne", 0.10),
            "QLD": ("AU East", "Australia/Brisbane", 0.10),
            "WA": ("AU West", "Australia/Perth", 0.10),
            "SA": ("AU South", "Australia/Adelaide", 0.10),
            "TAS": ("AU South", "Australia/Hobart", 0.10),
            "ACT": ("AU East", "Australia/Sydney", 0.10),
            "NT": ("AU West", "Australia/Darwin", 0.10),
        },
    },
    "US": {
        "currency": "USD",
        "locale": Locale.EN,
        "share": 0.12,
        "phone": ("+1 ", 3, 3, 4),
        "growth": 0.14,
        "south": False,
        # combined state and average local sales tax, rounded to the 4 decimals of tax_pct
        "states": {
            "CA": ("North America", "America/Los_Angeles", 0.0825),
            "NY": ("North America", "America/New_York", 0.0850),
            "TX": ("North America", "America/Chicago", 0.0825),
            "WA": ("North America", "America/Los_Angeles", 0.0925),
        },
    },
    "GB": {
        "currency": "GBP",
        "locale": Locale.EN_GB,
        "share": 0.10,
        "phone": ("+44 7", 3, 6, 0),
        "growth": 0.09,
        "south": False,
        "states": {
            "ENG": ("UK & Ireland", "Europe/London", 0.20),
            "SCT": ("UK & Ireland", "Europe/London", 0.20),
            "WLS": ("UK & Ireland", "Europe/London", 0.20),
        },
    },
    "CA": {
        "currency": "CAD",
        "locale": Locale.EN_CA,
        "share": 0.06,
        "phone": ("+1 ", 3, 3, 4),
        "growth": 0.11,
        "south": False,
        # HST in Ontario; GST + PST in British Columbia; GST + QST in Quebec (14.975% -> 4 decimals)
        "states": {
            "ON": ("North America", "America/Toronto", 0.1300),
            "BC": ("North America", "America/Vancouver", 0.1200),
            "QC": ("North America", "America/Toronto", 0.1498),
        },
    },
}
COUNTRY_CODES: tuple[str, ...] = tuple(COUNTRIES)
# Basic food is GST-free in Australia, zero-rated for VAT in the UK and Canada and exempt
# from sales tax in the four US states used.
TAX_EXEMPT_CATEGORIES = ("Grocery",)

# Cities customers live in and stores stand in: (country, state, city, latitude, longitude,
# metro population in millions, radius in km, postcode rule). A postcode rule is
# ("num", first, count) for numeric postcodes first..first+count-1 (AU, US), ("uk", areas,
# first district, last district) for UK outward codes, ("ca", first letters) for Canadian
# forward sortation areas.
CITIES: tuple[tuple[str, str, str, float, float, float, float, tuple], ...] = (
    ("AU", "NSW", "Sydney", -33.87, 151.21, 5.3, 35, ("num", 2000, 235)),
    ("AU", "NSW", "Newcastle", -32.93, 151.78, 0.5, 15, ("num", 2280, 30)),
    ("AU", "NSW", "Wollongong", -34.42, 150.89, 0.3, 12, ("num", 2500, 30)),
    ("AU", "NSW", "Central Coast", -33.43, 151.34, 0.35, 15, ("num", 2250, 30)),
    ("AU", "NSW", "Albury", -36.08, 146.92, 0.05, 6, ("num", 2640, 5)),
    ("AU", "NSW", "Wagga Wagga", -35.12, 147.37, 0.06, 6, ("num", 2650, 5)),
    ("AU", "NSW", "Coffs Harbour", -30.30, 153.11, 0.07, 6, ("num", 2450, 3)),
    ("AU", "NSW", "Port Macquarie", -31.43, 152.91, 0.05, 6, ("num", 2444, 2)),
    ("AU", "NSW", "Tamworth", -31.09, 150.93, 0.04, 5, ("num", 2340, 3)),
    ("AU", "NSW", "Orange", -33.28, 149.10, 0.04, 5, ("num", 2800, 2)),
    ("AU", "NSW", "Dubbo", -32.25, 148.60, 0.04, 5, ("num", 2830, 2)),
    ("AU", "VIC", "Melbourne", -37.81, 144.96, 5.0, 35, ("num", 3000, 210)),
    ("AU", "VIC", "Geelong", -38.15, 144.36, 0.28, 12, ("num", 3212, 15)),
    ("AU", "VIC", "Ballarat", -37.56, 143.85, 0.11, 8, ("num", 3350, 6)),
    ("AU", "VIC", "Bendigo", -36.76, 144.28, 0.10, 8, ("num", 3550, 6)),
    ("AU", "VIC", "Shepparton", -36.38, 145.40, 0.05, 5, ("num", 3630, 3)),
    ("AU", "VIC", "Mildura", -34.19, 142.16, 0.05, 5, ("num", 3500, 3)),
    ("AU", "VIC", "Traralgon", -38.20, 146.54, 0.04, 5, ("num", 3844, 2)),
    ("AU", "QLD", "Brisbane", -27.47, 153.03, 2.6, 30, ("num", 4000, 180)),
    ("AU", "QLD", "Gold Coast", -28.02, 153.40, 0.7, 20, ("num", 4207, 20)),
    ("AU", "QLD", "Sunshine Coast", -26.65, 153.07, 0.35, 15, ("num", 4550, 30)),
    ("AU", "QLD", "Townsville", -19.26, 146.82, 0.18, 10, ("num", 4810, 8)),
    ("AU", "QLD", "Cairns", -16.92, 145.77, 0.16, 10, ("num", 4868, 13)),
    ("AU", "QLD", "Toowoomba", -27.56, 151.95, 0.14, 8, ("num", 4350, 3)),
    ("AU", "QLD", "Mackay", -21.14, 149.19, 0.08, 6, ("num", 4740, 2)),
    ("AU", "QLD", "Rockhampton", -23.38, 150.51, 0.08, 6, ("num", 4700, 3)),
    ("AU", "QLD", "Bundaberg", -24.87, 152.35, 0.07, 5, ("num", 4670, 3)),
    ("AU", "WA", "Perth", -31.95, 115.86, 2.1, 30, ("num", 6000, 200)),
    ("AU", "WA", "Mandurah", -32.53, 115.72, 0.1, 8, ("num", 6210, 5)),
    ("AU", "WA", "Bunbury", -33.33, 115.64, 0.08, 6, ("num", 6230, 3)),
    ("AU", "WA", "Geraldton", -28.77, 114.61, 0.04, 5, ("num", 6530, 3)),
    ("AU", "WA", "Kalgoorlie", -30.75, 121.47, 0.03, 5, ("num", 6430, 3)),
    ("AU", "SA", "Adelaide", -34.93, 138.60, 1.4, 25, ("num", 5000, 170)),
    ("AU", "SA", "Mount Gambier", -37.83, 140.78, 0.03, 5, ("num", 5290, 2)),
    ("AU", "SA", "Whyalla", -33.03, 137.58, 0.02, 4, ("num", 5600, 9)),
    ("AU", "TAS", "Hobart", -42.88, 147.33, 0.25, 10, ("num", 7000, 55)),
    ("AU", "TAS", "Launceston", -41.43, 147.14, 0.09, 7, ("num", 7248, 3)),
    ("AU", "TAS", "Devonport", -41.18, 146.35, 0.03, 4, ("num", 7310, 2)),
    ("AU", "ACT", "Canberra", -35.28, 149.13, 0.46, 12, ("num", 2600, 20)),
    ("AU", "NT", "Darwin", -12.46, 130.84, 0.15, 10, ("num", 800, 30)),
    ("AU", "NT", "Alice Springs", -23.70, 133.88, 0.03, 5, ("num", 870, 1)),
    ("US", "CA", "Los Angeles", 34.05, -118.24, 13.0, 40, ("num", 90001, 900)),
    ("US", "CA", "San Diego", 32.72, -117.16, 3.3, 25, ("num", 92101, 100)),
    ("US", "CA", "San Jose", 37.34, -121.89, 2.0, 20, ("num", 95110, 60)),
    ("US", "CA", "San Francisco", 37.77, -122.42, 4.7, 25, ("num", 94102, 50)),
    ("US", "CA", "Sacramento", 38.58, -121.49, 2.4, 20, ("num", 95811, 50)),
    ("US", "CA", "Fresno", 36.74, -119.79, 1.0, 15, ("num", 93650, 80)),
    ("US", "NY", "New York", 40.71, -74.01, 19.5, 40, ("num", 10001, 300)),
    ("US", "NY", "Buffalo", 42.89, -78.88, 1.1, 15, ("num", 14201, 30)),
    ("US", "NY", "Rochester", 43.16, -77.61, 1.1, 15, ("num", 14604, 30)),
    ("US", "NY", "Albany", 42.65, -73.76, 0.9, 12, ("num", 12202, 30)),
    ("US", "NY", "Syracuse", 43.05, -76.15, 0.65, 12, ("num", 13202, 25)),
    ("US", "TX", "Houston", 29.76, -95.37, 7.1, 35, ("num", 77002, 100)),
    ("US", "TX", "Dallas", 32.78, -96.80, 7.6, 35, ("num", 75201, 90)),
    ("US", "TX", "San Antonio", 29.42, -98.49, 2.6, 25, ("num", 78201, 60)),
    ("US", "TX", "Austin", 30.27, -97.74, 2.3, 25, ("num", 78701, 60)),
    ("US", "TX", "Corpus Christi", 27.80, -97.40, 0.45, 10, ("num", 78401, 20)),
    ("US", "WA", "Seattle", 47.61, -122.33, 4.0, 30, ("num", 98101, 100)),
    ("US", "WA", "Spokane", 47.66, -117.43, 0.6, 12, ("num", 99201, 25)),
    ("US", "WA", "Tacoma", 47.25, -122.44, 0.9, 12, ("num", 98402, 20)),
    ("US", "WA", "Vancouver", 45.64, -122.66, 0.5, 10, ("num", 98660, 25)),
    ("GB", "ENG", "London", 51.51, -0.13, 9.5, 30, ("uk", ("E", "N", "SE", "SW", "W", "NW"), 1, 20)),
    ("GB", "ENG", "Birmingham", 52.49, -1.89, 2.9, 20, ("uk", ("B",), 1, 48)),
    ("GB", "ENG", "Manchester", 53.48, -2.24, 2.8, 20, ("uk", ("M",), 1, 50)),
    ("GB", "ENG", "Leeds", 53.80, -1.55, 1.9, 15, ("uk", ("LS",), 1, 29)),
    ("GB", "ENG", "Liverpool", 53.41, -2.98, 1.4, 15, ("uk", ("L",), 1, 40)),
    ("GB", "ENG", "Bristol", 51.45, -2.59, 0.7, 12, ("uk", ("BS",), 1, 16)),
    ("GB", "ENG", "Sheffield", 53.38, -1.47, 0.7, 12, ("uk", ("S",), 1, 36)),
    ("GB", "ENG", "Newcastle upon Tyne", 54.98, -1.62, 0.8, 12, ("uk", ("NE",), 1, 15)),
    ("GB", "ENG", "Nottingham", 52.95, -1.15, 0.75, 12, ("uk", ("NG",), 1, 20)),
    ("GB", "ENG", "Leicester", 52.64, -1.13, 0.5, 10, ("uk", ("LE",), 1, 19)),
    ("GB", "ENG", "Brighton", 50.82, -0.14, 0.5, 10, ("uk", ("BN",), 1, 3)),
    ("GB", "ENG", "Southampton", 50.90, -1.40, 0.85, 12, ("uk", ("SO",), 14, 19)),
    ("GB", "ENG", "Plymouth", 50.38, -4.14, 0.26, 8, ("uk", ("PL",), 1, 9)),
    ("GB", "ENG", "Norwich", 52.63, 1.30, 0.2, 8, ("uk", ("NR",), 1, 7)),
    ("GB", "ENG", "Cambridge", 52.21, 0.12, 0.15, 7, ("uk", ("CB",), 1, 5)),
    ("GB", "ENG", "Oxford", 51.75, -1.26, 0.15, 7, ("uk", ("OX",), 1, 4)),
    ("GB", "SCT", "Glasgow", 55.86, -4.25, 1.8, 15, ("uk", ("G",), 1, 53)),
    ("GB", "SCT", "Edinburgh", 55.95, -3.19, 0.9, 12, ("uk", ("EH",), 1, 17)),
    ("GB", "SCT", "Aberdeen", 57.15, -2.09, 0.23, 8, ("uk", ("AB",), 10, 25)),
    ("GB", "SCT", "Dundee", 56.46, -2.97, 0.15, 6, ("uk", ("DD",), 1, 5)),
    ("GB", "SCT", "Inverness", 57.48, -4.22, 0.05, 5, ("uk", ("IV",), 1, 3)),
    ("GB", "WLS", "Cardiff", 51.48, -3.18, 0.48, 10, ("uk", ("CF",), 5, 24)),
    ("GB", "WLS", "Swansea", 51.62, -3.94, 0.3, 8, ("uk", ("SA",), 1, 7)),
    ("GB", "WLS", "Newport", 51.58, -3.00, 0.15, 6, ("uk", ("NP",), 10, 20)),
    ("CA", "ON", "Toronto", 43.65, -79.38, 6.2, 30, ("ca", "M")),
    ("CA", "ON", "Ottawa", 45.42, -75.70, 1.4, 15, ("ca", "K")),
    ("CA", "ON", "Hamilton", 43.26, -79.87, 0.8, 12, ("ca", "L")),
    ("CA", "ON", "London", 42.98, -81.25, 0.55, 10, ("ca", "N")),
    ("CA", "ON", "Kitchener", 43.45, -80.49, 0.6, 10, ("ca", "N")),
    ("CA", "ON", "Windsor", 42.31, -83.04, 0.42, 8, ("ca", "N")),
    ("CA", "BC", "Vancouver", 49.28, -123.12, 2.6, 25, ("ca", "V")),
    ("CA", "BC", "Victoria", 48.43, -123.37, 0.4, 10, ("ca", "V")),
    ("CA", "BC", "Kelowna", 49.89, -119.50, 0.22, 8, ("ca", "V")),
    ("CA", "BC", "Abbotsford", 49.05, -122.30, 0.2, 8, ("ca", "V")),
    ("CA", "QC", "Montreal", 45.50, -73.57, 4.3, 25, ("ca", "H")),
    ("CA", "QC", "Quebec City", 46.81, -71.21, 0.84, 12, ("ca", "G")),
    ("CA", "QC", "Gatineau", 45.48, -75.70, 0.35, 8, ("ca", "J")),
    ("CA", "QC", "Sherbrooke", 45.40, -71.89, 0.22, 6, ("ca", "J")),
)
# Parcels leave from these fulfilment centres (the nearest one by distance); the delivery
# zone (metro / regional / remote) follows from the distance to it.
FULFILMENT_CITIES = {
    "AU": ("Sydney", "Melbourne", "Brisbane", "Perth"),
    "US": ("Los Angeles", "New York", "Dallas"),
    "GB": ("Birmingham",),
    "CA": ("Toronto", "Vancouver"),
}
ZONE_LIMITS_KM = (60.0, 450.0)  # metro below the first, remote beyond the second

# Every currency used by orders (the store's country) and products (list prices):
# rate_to_aud = AUD per one unit at the start of the rates calendar, and the sensitivity
# (beta) of its rate to the common AUD factor. Rates move together against AUD (a common
# factor) plus a small mean-reverting idiosyncratic part each.
CURRENCIES: dict[str, tuple[float, float]] = {
    "AUD": (1.0, 0.0),
    "CAD": (1.10, 0.95),
    "EUR": (1.64, 0.85),
    "GBP": (1.92, 0.85),
    "USD": (1.52, 1.0),
}
RATE_FACTOR_VOL = 0.0045  # daily volatility of the common AUD factor (trading days)
RATE_OWN_VOL = 0.0020  # daily volatility of each currency's own part
RATE_OWN_REVERSION = 0.01  # daily pull of the own part back to its level
PRODUCT_CURRENCIES = (("AUD", 0.90), ("USD", 0.06), ("EUR", 0.04))
# Local selling prices are set per market from the AUD price at a planning rate, with a
# market price index (US retail is cheaper, UK dearer), then rounded to a price point.
SELLING_CURRENCIES = ("AUD", "CAD", "GBP", "USD")
MARKET_PRICE_INDEX = {"AUD": 1.0, "CAD": 1.02, "GBP": 1.08, "USD": 0.92}
PRICE_REVISIONS_PER_YEAR = 0.35  # per product and market: prices are stable, changed now and then

# category -> subcategory -> product noun -> (median price AUD, shipping weight kg)
CATEGORIES: dict[str, dict[str, dict[str, tuple[float, float]]]] = {
    "Electronics": {
        "Phones": {
            "Smartphone": (899, 0.4),
            "Phone Case": (29, 0.1),
            "Charger": (35, 0.2),
            "Screen Protector": (19, 0.05),
        },
        "Audio": {
            "Headphones": (249, 0.4),
            "Earbuds": (149, 0.1),
            "Bluetooth Speaker": (129, 0.8),
            "Soundbar": (399, 3.5),
        },
        "Computing": {
            "Laptop": (1399, 2.2),
            "Keyboard": (89, 0.8),
            "Mouse": (49, 0.2),
            "Monitor": (329, 5.0),
            "USB Hub": (39, 0.15),
        },
    },
    "Home & Kitchen": {
        "Cookware": {"Frying Pan": (59, 1.2), "Saucepan": (69, 1.3), "Stock Pot": (89, 2.5), "Wok": (49, 1.5)},
        "Appliances": {"Kettle": (59, 1.2), "Toaster": (69, 1.8), "Blender": (99, 2.5), "Air Fryer": (149, 5.0)},
        "Decor": {"Cushion": (29, 0.5), "Vase": (39, 1.0), "Candle": (19, 0.4), "Throw Rug": (79, 1.5)},
    },
    "Fashion": {
        "Womens": {"Dress": (79, 0.4), "Blouse": (49, 0.25), "Cardigan": (69, 0.5), "Skirt": (49, 0.3)},
        "Mens": {"Shirt": (59, 0.3), "Chinos": (69, 0.5), "Jacket": (149, 1.0), "Polo": (45, 0.3)},
        "Shoes": {"Sneakers": (129, 0.9), "Boots": (179, 1.4), "Sandals": (59, 0.5), "Loafers": (119, 0.8)},
    },
    "Grocery": {
        "Pantry": {"Pasta": (2.5, 0.5), "Olive Oil": (12, 1.0), "Rice": (4.5, 1.0), "Coffee Beans": (18, 1.0)},
        "Chilled": {"Yoghurt": (5, 1.0), "Cheese": (8, 0.5), "Milk": (3.2, 2.0), "Butter": (6, 0.5)},
        "Frozen": {"Ice Cream": (8, 1.0), "Frozen Peas": (3.5, 1.0), "Pizza": (7, 0.5), "Dumplings": (9, 0.8)},
    },
    "Beauty": {
        "Skincare": {"Moisturiser": (35, 0.2), "Serum": (49, 0.1), "Cleanser": (25, 0.2), "Sunscreen": (19, 0.2)},
        "Haircare": {"Shampoo": (12, 0.4), "Conditioner": (12, 0.4), "Hair Oil": (29, 0.1)},
    },
    "Sports": {
        "Fitness": {"Yoga Mat": (49, 1.2), "Dumbbell": (59, 5.0), "Resistance Band": (25, 0.3)},
        "Outdoor": {"Tent": (299, 4.0), "Backpack": (99, 1.0), "Water Bottle": (25, 0.3), "Sleeping Bag": (129, 1.5)},
    },
    "Toys": {
        "Games": {"Board Game": (45, 1.0), "Card Game": (15, 0.2), "Puzzle": (25, 0.6)},
        "Kids": {"Building Blocks": (59, 1.0), "Plush Toy": (25, 0.3), "Toy Car": (19, 0.3)},
    },
}
CATEGORY_NAMES: tuple[str, ...] = tuple(CATEGORIES)
# Share of the catalogue per category.
CATEGORY_WEIGHTS = {
    "Electronics": 0.14,
    "Home & Kitchen": 0.18,
    "Fashion": 0.2,
    "Grocery": 0.2,
    "Beauty": 0.1,
    "Sports": 0.1,
    "Toys": 0.08,
}
# Units sold fall with price: a product's popularity is a capped log-normal draw times
# price ** -PRICE_ELASTICITY, so groceries sell many units and laptops few.
POPULARITY_SIGMA = 1.5
POPULARITY_CAP = 30.0  # times the median draw: no single SKU dominates
PRICE_ELASTICITY = 0.55
# Seasonality of the category mix by month (Jan..Dec): the retail calendar (gifts in
# December, Mother's Day in May) is the same in both hemispheres...
CATEGORY_MONTH = {
    "Electronics": (0.90, 0.85, 0.90, 0.90, 0.90, 0.95, 0.90, 0.90, 0.95, 1.00, 1.35, 1.50),
    "Home & Kitchen": (1.00, 0.95, 1.00, 1.00, 1.05, 1.00, 1.00, 1.00, 1.00, 1.00, 1.10, 1.20),
    "Fashion": (1.05, 0.90, 1.00, 1.00, 1.00, 1.00, 1.00, 0.95, 1.00, 1.05, 1.10, 1.25),
    "Grocery": (1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.10),
    "Beauty": (0.90, 1.00, 1.00, 1.00, 1.25, 1.00, 0.90, 0.90, 0.95, 1.00, 1.10, 1.40),
    "Sports": (1.25, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.10),
    "Toys": (0.70, 0.60, 0.70, 0.80, 0.80, 0.80, 0.80, 0.80, 0.85, 1.00, 1.60, 2.80),
}
# ...while the weather is not: summer lifts outdoor sport and ice cream (northern months;
# the southern hemisphere is shifted by six months).
CATEGORY_SUMMER_LIFT = {"Sports": 0.30, "Grocery": 0.05, "Fashion": -0.05}

# Web storefronts per country (their share of the country's web orders).
WEB_STOREFRONTS = (("Website", 0.62), ("App", 0.30), ("Marketplace", 0.08))
# Physical store formats: (name suffixes, floor area range m2, share of stores). One
# flagship per country stands in its largest city.
STORE_FORMATS = (
    ("Flagship", ("Flagship",), (8_000, 15_000), 0.0),
    ("Department", ("Central", "Plaza", "Mall"), (3_000, 8_000), 0.07),
    ("Supermarket", ("Square", "Market", "Junction"), (1_000, 3_000), 0.33),
    ("Compact", ("Village", "Corner", "Arcade"), (300, 1_000), 0.40),
    ("Express", ("Express",), (80, 300), 0.20),
)

# Local hour profiles (0..23). Stores trade 08:00-21:00 (Sunday 09:00-18:00) with a
# lunchtime and an after-work peak; the web peaks in the evening with a thin night tail.
POS_HOURS = (0, 0, 0, 0, 0, 0, 0, 0, 2.0, 3.5, 5.0, 6.0, 7.0, 6.5, 5.5, 5.5, 6.0, 6.5, 5.0, 3.5, 2.0, 0, 0, 0)
POS_SUNDAY_HOURS = (0, 0, 0, 0, 0, 0, 0, 0, 0, 3.0, 5.0, 6.0, 6.5, 6.0, 5.5, 5.0, 4.0, 2.5, 0, 0, 0, 0, 0, 0)
WEB_HOURS = (
    0.8,
    0.5,
    0.3,
    0.25,
    0.3,
    0.6,
    1.2,
    2.0,
    2.8,
    3.4,
    3.8,
    4.0,
    4.3,
    4.0,
    3.8,
    3.8,
    4.0,
    4.4,
    5.0,
    5.8,
    6.5,
    6.6,
    5.3,
    2.8,
)
# Day of week (Mon..Sun): stores peak on Saturday, the web on Sunday and Monday evenings.
POS_WEEKDAY = (0.85, 0.85, 0.90, 1.00, 1.10, 1.35, 0.95)
WEB_WEEKDAY = (1.10, 1.00, 0.97, 0.95, 0.90, 0.92, 1.15)
# Demand by month at mid-month (interpolated day by day, so months do not step).
MONTH_DEMAND = (0.86, 0.80, 0.92, 0.95, 1.00, 1.00, 0.97, 0.97, 0.97, 1.02, 1.15, 1.25)
WEB_SHARE = 0.62  # of orders (see docs/decisions.md: identified-customer orders)
POS_HOME_DELIVERY_SHARE = 0.30  # of in-store orders delivered to the customer's home

# Campaigns: name -> (coupon code or None, coupon discount, coupon uptake web/pos,
# share of lines marked down, markdown depths in 1/10000 with their probabilities).
# Outside campaigns a few lines carry everyday markdowns.
CAMPAIGNS: dict[str, tuple[str | None, int, tuple[float, float], float, tuple[tuple[int, float], ...]]] = {
    "none": (None, 0, (0.0, 0.0), 0.07, ((1000, 0.5), (1500, 0.25), (2000, 0.2), (3000, 0.05))),
    "black_friday": (
        "BLACKFRIDAY",
        2000,
        (0.25, 0.12),
        0.55,
        ((2000, 0.3), (2500, 0.25), (3000, 0.25), (4000, 0.15), (5000, 0.05)),
    ),
    "christmas": ("XMAS10", 1000, (0.18, 0.08), 0.15, ((1000, 0.6), (1500, 0.3), (2000, 0.1))),
    "boxing_day": (None, 0, (0.0, 0.0), 0.50, ((2000, 0.3), (3000, 0.35), (4000, 0.25), (5000, 0.1))),
    "end_of_season": (None, 0, (0.0, 0.0), 0.40, ((2000, 0.3), (3000, 0.4), (4000, 0.2), (5000, 0.1))),
    "eofy": ("EOFY20", 2000, (0.20, 0.10), 0.35, ((1000, 0.3), (1500, 0.3), (2000, 0.3), (3000, 0.1))),
    "spring_sale": ("SPRING15", 1500, (0.15, 0.07), 0.25, ((1000, 0.4), (1500, 0.4), (2000, 0.2))),
    "mothers_day": (None, 0, (0.0, 0.0), 0.20, ((1000, 0.5), (1500, 0.3), (2000, 0.2))),
}
CAMPAIGN_NAMES: tuple[str, ...] = tuple(CAMPAIGNS)
# Categories a campaign lifts (demand multiplier).
CAMPAIGN_CATEGORY_LIFT = {
    "black_friday": {"Electronics": 1.5, "Toys": 1.3},
    "boxing_day": {"Fashion": 1.3, "Electronics": 1.3},
    "eofy": {"Electronics": 1.6},
    "mothers_day": {"Beauty": 1.6, "Home & Kitchen": 1.2},
    "end_of_season": {"Fashion": 1.3},
}
# Coupons outside campaigns, each with its eligibility rule.
WELCOME_COUPON = ("WELCOME10", 1000)  # a new customer's first order only
WELCOME_UPTAKE = 0.5
VIP_COUPON = ("VIP25", 2500)  # VIP customers only
VIP_UPTAKE = 0.04
FREE_SHIPPING_COUPON = "FREESHIP"  # web orders only: no shipping fee
FREE_SHIPPING_UPTAKE = 0.03
# Days before a product is discontinued during which it is cleared out.
CLEARANCE_DAYS = 60
CLEARANCE_SHARE = 0.5
CLEARANCE_DEPTHS = ((3000, 0.4), (4000, 0.4), (5000, 0.2))
COUPON_CODES = tuple(
    sorted({c for c, *_ in CAMPAIGNS.values() if c} | {WELCOME_COUPON[0], VIP_COUPON[0], FREE_SHIPPING_COUPON})
)

# Shipping fees per order currency, in cents: web fee below the free-shipping threshold,
# the threshold, and the fee of an in-store purchase delivered home.
SHIPPING_FEES = {
    "AUD": (995, 10_000, 2_995),
    "USD": (699, 7_500, 1_999),
    "GBP": (399, 5_000, 1_499),
    "CAD": (999, 9_900, 2_499),
}
# Carriers per country with their market share, and their delivery SLA in days (a
# delivery later than shipped_at + SLA is late). Gold's on_time_flag uses the same table.
CARRIER_SLA_DAYS: dict[str, int] = {
    "AusPost": 5,
    "StarTrack": 3,
    "Sendle": 6,
    "DHL": 4,
    "UPS": 4,
    "FedEx": 3,
    "USPS": 6,
    "Royal Mail": 3,
    "DPD": 2,
    "Canada Post": 6,
    "Purolator": 4,
}
CARRIERS_BY_COUNTRY: dict[str, tuple[tuple[str, float], ...]] = {
    "AU": (("AusPost", 0.55), ("StarTrack", 0.22), ("Sendle", 0.10), ("DHL", 0.13)),
    "US": (("UPS", 0.48), ("FedEx", 0.27), ("USPS", 0.25)),
    "GB": (("Royal Mail", 0.55), ("DPD", 0.30), ("DHL", 0.15)),
    "CA": (("Canada Post", 0.58), ("Purolator", 0.27), ("UPS", 0.15)),
}
# Transit time relative to the SLA (log-normal median) per carrier: express carriers run
# closer to their promise.
CARRIER_PACE = {
    "AusPost": 0.54,
    "StarTrack": 0.47,
    "Sendle": 0.58,
    "DHL": 0.47,
    "UPS": 0.47,
    "FedEx": 0.45,
    "USPS": 0.54,
    "Royal Mail": 0.43,
    "DPD": 0.40,
    "Canada Post": 0.54,
    "Purolator": 0.47,
}
TRANSIT_SIGMA = 0.30
ZONE_DELAY = (1.0, 1.15, 1.4)  # metro, regional, remote
PEAK_DELAY = 1.25  # from the Monday after Black Friday's week to Christmas Eve
# Parcel cost per currency in cents: base, per kg, zone surcharge (regional, remote).
SHIP_COST = {
    "AUD": (790, 95, (350, 1_200)),
    "USD": (550, 70, (250, 900)),
    "GBP": (320, 40, (150, 600)),
    "CAD": (850, 90, (400, 1_400)),
}
SPLIT_SHIPMENT_PER_EXTRA_LINE = 0.09  # chance per extra line that an order ships in two parcels

# Return behaviour: share of delivered/purchased lines returned, per category, online and
# in store (apparel online is returned most, groceries almost never), before the returns
# table is sampled down to its SPEC volume.
RETURN_RATES = {
    "Electronics": (0.075, 0.035),
    "Home & Kitchen": (0.050, 0.022),
    "Fashion": (0.210, 0.070),
    "Grocery": (0.006, 0.003),
    "Beauty": (0.035, 0.015),
    "Sports": (0.060, 0.028),
    "Toys": (0.045, 0.020),
}
# Reasons (text, code) and their weight per category; delivery-related reasons apply only
# to shipped lines, "Arrived late" only when the delivery broke its SLA.
RETURN_REASONS = (
    ("Wrong size", "SIZE"),
    ("Changed mind", "CHANGED_MIND"),
    ("Not as described", "NOT_AS_DESCRIBED"),
    ("Faulty", "FAULTY"),
    ("Damaged on arrival", "DAMAGED"),
    ("Arrived late", "LATE"),
    ("Spoiled or expired", "SPOILED"),
)
RETURN_REASON_WEIGHTS = {  # SIZE, CHANGED_MIND, NOT_AS_DESCRIBED, FAULTY, DAMAGED, LATE, SPOILED
    "Electronics": (0, 25, 15, 40, 15, 20, 0),
    "Home & Kitchen": (0, 30, 15, 25, 25, 20, 0),
    "Fashion": (45, 25, 15, 0, 5, 20, 0),
    "Grocery": (0, 0, 10, 0, 30, 20, 60),
    "Beauty": (0, 45, 35, 0, 20, 20, 0),
    "Sports": (0, 35, 20, 20, 15, 20, 0),
    "Toys": (0, 30, 15, 30, 25, 20, 0),
}
SHIPPED_ONLY_REASONS = ("DAMAGED", "LATE")
RETURN_LAG_GAMMA = (1.5, 5.5)  # days after delivery (or purchase): shape, scale; most within two weeks

# Customers: age (normal, clipped), join history, purchase intensity and churn.
AGE_MEAN, AGE_SD, AGE_RANGE = 42.0, 14.0, (18, 90)
JOIN_HISTORY_YEARS = 4  # the loyalty programme started four years before the window
JOIN_GROWTH = 0.20  # more sign-ups every year...
JOIN_MONTH = (1.10, 0.90, 0.95, 0.95, 1.00, 1.00, 1.00, 1.00, 1.00, 1.05, 1.35, 1.55)  # ...and in Q4
INTENSITY_SIGMA = 0.9  # log-normal purchase frequency...
INTENSITY_CAP = 3.0  # ...capped at this multiple of its mean
ONE_AND_DONE_SHARE = 0.30  # customers who lapse within weeks of joining
LIFETIME_YEARS = 1.6  # mean active lifetime of the others (exponential)
FIRST_ORDER_SHARE = 0.85  # of new customers place an order within days of joining
WEB_PROPENSITY_BETA = (2.0, 1.25)  # share of a customer's orders placed online (mean 0.62 at age 42)
VIP_SHARE = 0.05

# Clickstream: session shapes and the share of sessions that end in a checkout.
SESSION_CONVERSION = 0.03
ANONYMOUS_SESSION_SHARE = 0.35
SESSION_MEAN_EXTRA_EVENTS = 3.0  # events after the landing event (geometric)
EVENT_GAP_MEDIAN_S = 35.0
REFERRERS = (("direct", 0.35), ("google", 0.35), ("email", 0.12), ("social", 0.12), ("affiliate", 0.06))
LOGIN_METHODS = (("password", 0.55), ("google", 0.30), ("apple", 0.15))

PRODUCT_ADJECTIVES = (
    "Classic",
    "Premium",
    "Essential",
    "Eco",
    "Deluxe",
    "Compact",
    "Pro",
    "Everyday",
    "Ultra",
    "Organic",
    "Smart",
    "Vintage",
    "Lite",
    "Max",
)

EMAIL_DOMAINS = {
    "AU": ("gmail.com", "outlook.com", "bigpond.com", "icloud.com", "yahoo.com.au"),
    "US": ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com"),
    "GB": ("gmail.com", "hotmail.co.uk", "btinternet.com", "outlook.com", "yahoo.co.uk"),
    "CA": ("gmail.com", "outlook.com", "yahoo.ca", "icloud.com", "shaw.ca"),
}

SUPPLIER_COUNTRIES = (
    ("AU", 0.35, (2, 14)),
    ("CN", 0.25, (21, 75)),
    ("US", 0.1, (10, 40)),
    ("DE", 0.08, (14, 45)),
    ("JP", 0.07, (12, 40)),
    ("VN", 0.08, (25, 70)),
    ("IN", 0.07, (25, 80)),
)

PAYMENT_METHODS = {
    "web": (("card", 0.60), ("paypal", 0.20), ("afterpay", 0.12), ("gift_card", 0.08)),
    "pos": (("card", 0.70), ("cash", 0.20), ("gift_card", 0.05), ("afterpay", 0.05)),
}

# Shelf kinds: (prefix, temperature set point, seasonal amplitude, diurnal amplitude, noise sd,
# humidity mean, humidity sd). Ambient shelves follow the weather and the trading day;
# fridges and freezers hold their set point with door-opening bumps in trading hours.
SHELF_KINDS = (
    ("AMB", 21.5, 2.0, 1.2, 0.35, 48.0, 3.0),
    ("CHL", 3.5, 0.3, 0.6, 0.25, 80.0, 2.5),
    ("FRZ", -18.0, 0.3, 0.8, 0.35, 60.0, 3.0),
)
SENSOR_NOISE_WINDOW = 6  # readings averaged into the noise: neighbouring readings are correlated
SENSOR_STORE_OFFSET_SD = 0.8  # °C between stores (building, climate control)
SENSOR_FAULT_EPISODE = (3, 48)  # a faulty sensor reads out of range for this many readings
SENSOR_VALID_RANGES = {"temperature_c": (-30.0, 50.0), "humidity_pct": (0.0, 100.0)}
