from services.common.server import main
from services.compositor.server import build

main(build)
