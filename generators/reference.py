"""Reference data the generator draws from: countries, time zones, currencies,
carriers and their delivery SLAs, the product taxonomy."""

from __future__ import annotations

from mimesis.locales import Locale

# country -> currency, Mimesis locale, share of customers, tax rate, phone (prefix and digit groups),
# a bounding box for coordinates, and (state, sales region, time zone, weight).
COUNTRIES: dict[str, dict] = {
    "AU": {
        "currency": "AUD",
        "locale": Locale.EN_AU,
        "share": 0.72,
        "tax_pct": 0.10,
        "phone": ("+61 4", 2, 3, 3),
        "lat": (-38.0, -12.5),
        "lon": (115.0, 153.0),
        "states": [
            ("NSW", "AU East", "Australia/Sydney", 0.32),
            ("VIC", "AU South", "Australia/Melbourne", 0.26),
            ("QLD", "AU East", "Australia/Brisbane", 0.20),
            ("WA", "AU West", "Australia/Perth", 0.10),
            ("SA", "AU South", "Australia/Adelaide", 0.07),
            ("TAS", "AU South", "Australia/Hobart", 0.02),
            ("ACT", "AU East", "Australia/Sydney", 0.02),
            ("NT", "AU West", "Australia/Darwin", 0.01),
        ],
    },
    "US": {
        "currency": "USD",
        "locale": Locale.EN,
        "share": 0.12,
        "tax_pct": 0.0725,
        "phone": ("+1 ", 3, 3, 4),
        "lat": (30.0, 47.0),
        "lon": (-122.0, -74.0),
        "states": [
            ("CA", "North America", "America/Los_Angeles", 0.35),
            ("NY", "North America", "America/New_York", 0.30),
            ("TX", "North America", "America/Chicago", 0.20),
            ("WA", "North America", "America/Los_Angeles", 0.15),
        ],
    },
    "GB": {
        "currency": "GBP",
        "locale": Locale.EN_GB,
        "share": 0.10,
        "tax_pct": 0.20,
        "phone": ("+44 7", 3, 6, 0),
        "lat": (50.5, 57.5),
        "lon": (-4.5, 1.5),
        "states": [
            ("ENG", "UK & Ireland", "Europe/London", 0.84),
            ("SCT", "UK & Ireland", "Europe/London", 0.10),
            ("WLS", "UK & Ireland", "Europe/London", 0.06),
        ],
    },
    "CA": {
        "currency": "CAD",
        "locale": Locale.EN_CA,
        "share": 0.06,
        "tax_pct": 0.13,
        "phone": ("+1 ", 3, 3, 4),
        "lat": (43.0, 53.0),
        "lon": (-123.0, -73.0),
        "states": [
            ("ON", "North America", "America/Toronto", 0.50),
            ("BC", "North America", "America/Vancouver", 0.30),
            ("QC", "North America", "America/Toronto", 0.20),
        ],
    },
}
COUNTRY_CODES: tuple[str, ...] = tuple(COUNTRIES)

# Every currency used by orders (the store's country) and products (list prices);
# rate_to_aud = AUD per one unit, starting level and daily volatility.
CURRENCIES: dict[str, tuple[float, float]] = {
    "AUD": (1.0, 0.0),
    "CAD": (1.10, 0.004),
    "EUR": (1.64, 0.004),
    "GBP": (1.92, 0.005),
    "USD": (1.52, 0.005),
}
PRODUCT_CURRENCIES = (("AUD", 0.90), ("USD", 0.06), ("EUR", 0.04))

# Carriers per country and their delivery SLA in days (a delivery later than
# shipped_at + SLA is late). Gold's on_time_flag uses the same table.
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
CARRIERS_BY_COUNTRY: dict[str, tuple[str, ...]] = {
    "AU": ("AusPost", "StarTrack", "Sendle", "DHL"),
    "US": ("UPS", "FedEx", "USPS"),
    "GB": ("Royal Mail", "DPD", "DHL"),
    "CA": ("Canada Post", "Purolator", "UPS"),
}

# category -> (median price AUD, subcategory -> product nouns)
CATEGORIES: dict[str, tuple[float, dict[str, tuple[str, ...]]]] = {
    "Electronics": (
        120.0,
        {
            "Phones": ("Smartphone", "Phone Case", "Charger", "Screen Protector"),
            "Audio": ("Headphones", "Earbuds", "Bluetooth Speaker", "Soundbar"),
            "Computing": ("Laptop", "Keyboard", "Mouse", "Monitor", "USB Hub"),
        },
    ),
    "Home & Kitchen": (
        45.0,
        {
            "Cookware": ("Frying Pan", "Saucepan", "Stock Pot", "Wok"),
            "Appliances": ("Kettle", "Toaster", "Blender", "Air Fryer"),
            "Decor": ("Cushion", "Vase", "Candle", "Throw Rug"),
        },
    ),
    "Fashion": (
        55.0,
        {
            "Womens": ("Dress", "Blouse", "Cardigan", "Skirt"),
            "Mens": ("Shirt", "Chinos", "Jacket", "Polo"),
            "Shoes": ("Sneakers", "Boots", "Sandals", "Loafers"),
        },
    ),
    "Grocery": (
        6.0,
        {
            "Pantry": ("Pasta", "Olive Oil", "Rice", "Coffee Beans"),
            "Chilled": ("Yoghurt", "Cheese", "Milk", "Butter"),
            "Frozen": ("Ice Cream", "Frozen Peas", "Pizza", "Dumplings"),
        },
    ),
    "Beauty": (
        28.0,
        {
            "Skincare": ("Moisturiser", "Serum", "Cleanser", "Sunscreen"),
            "Haircare": ("Shampoo", "Conditioner", "Hair Oil"),
        },
    ),
    "Sports": (
        70.0,
        {
            "Fitness": ("Yoga Mat", "Dumbbell", "Resistance Band"),
            "Outdoor": ("Tent", "Backpack", "Water Bottle", "Sleeping Bag"),
        },
    ),
    "Toys": (
        30.0,
        {
            "Games": ("Board Game", "Card Game", "Puzzle"),
            "Kids": ("Building Blocks", "Plush Toy", "Toy Car"),
        },
    ),
}
CATEGORY_WEIGHTS = {
    "Electronics": 0.14,
    "Home & Kitchen": 0.18,
    "Fashion": 0.2,
    "Grocery": 0.2,
    "Beauty": 0.1,
    "Sports": 0.1,
    "Toys": 0.08,
}
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

STORE_SUFFIXES = ("Central", "Plaza", "Mall", "Square", "Outlet", "Village", "Market", "Junction")

PAYMENT_METHODS = {
    "web": (("card", 0.60), ("paypal", 0.20), ("afterpay", 0.12), ("gift_card", 0.08)),
    "pos": (("card", 0.70), ("cash", 0.20), ("gift_card", 0.05), ("afterpay", 0.05)),
}
COUPON_CODES = ("WELCOME10", "SPRING15", "EOFY20", "BLACKFRIDAY", "XMAS10", "VIP25", "FREESHIP")

# Discount fractions (in 1/10000) and their probabilities.
DISCOUNTS = (
    (0, 0.70),
    (500, 0.09),
    (1000, 0.08),
    (1500, 0.05),
    (2000, 0.04),
    (2500, 0.02),
    (3000, 0.015),
    (5000, 0.005),
)

RETURN_REASONS = (
    ("Damaged on arrival", "DAMAGED"),
    ("Wrong size", "SIZE"),
    ("Changed mind", "CHANGED_MIND"),
    ("Not as described", "NOT_AS_DESCRIBED"),
    ("Faulty", "FAULTY"),
    ("Arrived late", "LATE"),
)

# Shelf kinds: (prefix, temperature mean, sd, humidity mean, sd). Clean readings stay
# inside SENSOR_VALID_RANGES; the out-of-range anomaly lands outside.
SHELF_KINDS = (("AMB", 21.5, 1.2, 45.0, 6.0), ("CHL", 3.5, 0.8, 80.0, 5.0), ("FRZ", -18.0, 1.0, 60.0, 6.0))
SENSOR_VALID_RANGES = {"temperature_c": (-30.0, 50.0), "humidity_pct": (0.0, 100.0)}
