from services.common.server import main
from services.video_gen.server import build

main(build)
