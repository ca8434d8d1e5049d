from services.common.server import main
from services.image_gen.server import build

main(build)
