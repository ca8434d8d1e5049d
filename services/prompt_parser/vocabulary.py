"""The word lists the offline engine understands: categories, colours, materials, styles, motion.

Entries are lowercase and singular; matching (see text_match) also accepts plurals, and multiword
entries win over the words inside them ("rose gold" is not also "gold").
"""

from __future__ import annotations


def _terms(text: str) -> tuple[str, ...]:
    """A comma-separated list as a tuple, so long word lists stay compact and readable."""
    return tuple(t.strip() for t in text.split(",") if t.strip())


def _pairs(text: str) -> dict[str, str]:
    """ "name value, name value" (the value is the last word) as a dict."""
    return {t.rsplit(" ", 1)[0]: t.rsplit(" ", 1)[1] for t in _terms(text)}


CATEGORIES = _terms("footwear, watch, skincare, bag, electronics, drinkware, apparel, other")

# Deliberately absent: words that name other things too ("flat", "pump", "oxford", "glass").
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "footwear": _terms(
        "shoe, sneaker, trainer, boot, heel, high heel, sandal, loafer, slipper, flip flop, cleat, "
        "moccasin, espadrille, footwear, stiletto, mule, clog"
    ),
    "watch": _terms("watch, wristwatch, smartwatch, timepiece, chronograph"),
    "skincare": _terms(
        "serum, cream, moisturizer, moisturiser, lotion, cleanser, toner, sunscreen, skincare, "
        "skin care, face oil, balm, face mask, sheet mask, exfoliator, face wash, essence"
    ),
    "bag": _terms(
        "bag, backpack, handbag, purse, tote, wallet, clutch, satchel, duffel, duffle, suitcase, "
        "luggage, crossbody, rucksack"
    ),
    "electronics": _terms(
        "headphone, earbud, earphone, headset, phone, smartphone, speaker, laptop, tablet, camera, "
        "keyboard, mouse, monitor, charger, power bank, console, controller, drone, television, tv"
    ),
    "drinkware": _terms(
        "mug, cup, tumbler, water bottle, bottle of water, flask, thermos, teacup, wine glass, "
        "drinking glass, drinkware"
    ),
    "apparel": _terms(
        "shirt, t shirt, tee, hoodie, sweatshirt, jacket, coat, dress, jeans, trouser, pants, shorts, "
        "skirt, sweater, cardigan, blazer, legging, hat, cap, beanie, scarf, sock, glove, apparel, "
        "jumpsuit, polo"
    ),
}

# What each category is called when a prompt has to name it.
CATEGORY_NOUNS: dict[str, str] = {
    "footwear": "pair of shoes",
    "watch": "wristwatch",
    "skincare": "skincare bottle",
    "bag": "bag",
    "electronics": "device",
    "drinkware": "drinking vessel",
    "apparel": "garment",
    "other": "product",
}

# 50 colour names and their hex values ("cream" alone is a skincare product, so only "cream white").
COLORS: dict[str, str] = _pairs(
    "black #111111, white #f5f5f5, off white #f2efe6, ivory #fffff0, beige #d9c8a9, "
    "cream white #fdf6e3, gray #808080, light gray #c8c8c8, dark gray #404040, charcoal #36454f, "
    "silver #c0c0c0, gold #d4af37, rose gold #b76e79, bronze #cd7f32, copper #b87333, red #d32f2f, "
    "crimson #dc143c, burgundy #800020, maroon #800000, pink #f4a6c1, hot pink #ff69b4, "
    "blush #f2c4ce, magenta #d5008f, coral #ff7f50, peach #ffcba4, orange #f57c00, yellow #fdd835, "
    "mustard #e1ad01, green #2e7d32, olive #708238, sage #9caf88, mint #98ff98, emerald #50c878, "
    "lime #9acd32, teal #008080, turquoise #40e0d0, blue #1e63d6, light blue #9ecbf0, "
    "sky blue #87ceeb, royal blue #4169e1, navy blue #1f2a44, purple #7b1fa2, lavender #b57edc, "
    "lilac #c8a2c8, violet #8f00ff, brown #6d4c41, tan #d2b48c, camel #c19a6b, khaki #c3b091, "
    "chocolate #5d3a1a"
)
COLOR_ALIASES: dict[str, str] = _pairs(
    "grey gray, light grey light gray, dark grey dark gray, navy navy blue, golden gold, "
    "offwhite off white, rosegold rose gold"
)

# When the text names no colour: a palette that suits the category (names from COLORS).
DEFAULT_COLORS: dict[str, tuple[str, ...]] = {
    "footwear": ("white", "light gray", "black"),
    "watch": ("silver", "black", "dark gray"),
    "skincare": ("white", "blush", "beige"),
    "bag": ("tan", "brown", "beige"),
    "electronics": ("black", "dark gray", "silver"),
    "drinkware": ("white", "sage", "charcoal"),
    "apparel": ("navy blue", "white", "gray"),
    "other": ("white", "gray", "black"),
}

MATERIALS = _terms(
    "leather, vegan leather, patent leather, suede, canvas, mesh, knit, rubber, gold, rose gold, "
    "silver, steel, stainless steel, titanium, aluminum, brass, copper, glass, sapphire crystal, "
    "ceramic, porcelain, stoneware, cotton, organic cotton, denim, wool, cashmere, silk, linen, "
    "nylon, polyester, fleece, plastic, acrylic, silicone, wood, walnut, oak, bamboo, cork, marble, "
    "carbon fiber, velvet, corduroy"
)
# The colour a material brings when the text names no colour for it ("gold watch with leather strap":
# the strap is brown, not the category's default white).
MATERIAL_COLORS: dict[str, str] = {
    "leather": "brown",
    "patent leather": "black",
    "suede": "tan",
    "canvas": "beige",
    "denim": "navy blue",
    "wool": "gray",
    "cashmere": "beige",
    "linen": "beige",
    "rubber": "black",
    "steel": "silver",
    "stainless steel": "silver",
    "titanium": "gray",
    "aluminum": "silver",
    "carbon fiber": "charcoal",
    "wood": "brown",
    "walnut": "brown",
    "oak": "tan",
    "bamboo": "khaki",
    "cork": "tan",
    "marble": "white",
    "porcelain": "white",
    "stoneware": "beige",
}
MATERIAL_ALIASES: dict[str, str] = {
    "aluminium": "aluminum",
    "wooden": "wood",
    "golden": "gold",
    "carbon fibre": "carbon fiber",
    "faux leather": "vegan leather",
}

STYLE_WORDS = _terms(
    "luxury, premium, minimalist, modern, vintage, retro, classic, elegant, sporty, athletic, "
    "rugged, sleek, bold, playful, organic, natural, eco friendly, handmade, futuristic, clean, "
    "cozy, colorful, vibrant, professional, casual, streetwear, chic, timeless, industrial, rustic, "
    "bohemian, pastel, matte, glossy, lightweight, waterproof, ergonomic, compact, wireless, "
    "sustainable, artisan, handcrafted, high end, urban, outdoor"
)
STYLE_ALIASES: dict[str, str] = {
    "luxurious": "luxury",
    "minimal": "minimalist",
    "minimalistic": "minimalist",
    "colourful": "colorful",
    "hand made": "handmade",
}

# Words that start the setting (where the product is) rather than the product itself: colours and
# materials are read from the product part only ("gold watch on marble" is not made of marble).
SETTING_MARKERS = _terms("on, against, atop, over, in front of, next to, beside, surrounded by, background")

# Scene words and what they say about motion (whole words, so every form is listed).
ENERGETIC_WORDS = frozenset(
    _terms(
        "run, runs, running, runner, runners, sprint, sprints, sprinting, jump, jumps, jumping, "
        "leap, leaps, leaping, dance, dances, dancing, dancer, dancers, splash, splashes, splashing, "
        "fast, faster, quick, quickly, speed, speeding, race, racing, action, dynamic, energetic, "
        "energy, explosive, explode, exploding, burst, bursting, bounce, bouncing, kick, kicking, "
        "skate, skating, skateboarding, surf, surfing, workout, training, sport, sports, chase, "
        "chasing, rush, rushing, flying, swing, swinging, crash, crashing, hype, party, rapid, intense"
    )
)
CALM_WORDS = frozenset(
    _terms(
        "rest, rests, resting, still, stillness, calm, calmly, slow, slowly, float, floats, floating, "
        "gentle, gently, serene, peaceful, quiet, quietly, soft, softly, relax, relaxed, relaxing, "
        "sleep, sleeping, drift, drifting, tranquil, steady, hover, hovering, idle, soothing, zen, "
        "mist, misty, spa, lying"
    )
)
ROTATION_WORDS = frozenset(
    _terms(
        "rotate, rotates, rotating, rotation, spin, spins, spinning, turntable, orbit, orbits, "
        "orbiting, revolve, revolves, revolving, 360, twirl, twirling"
    )
)
